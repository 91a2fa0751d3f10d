// Package verifycli is the command line of custody-verify: flags, human
// and JSON reports, exit codes. It lives outside package main so that the
// CLI tests (testscript) can run it in-process.
//
// Exit codes (ETSI EN 319 102-1): 0 PASSED, 1 FAILED, 3 INDETERMINATE,
// 2 usage error, unreadable input, or not a custody file
// (verify.ErrNotCustody).
package verifycli

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/custody-toolkit/custody/internal/versioncmd"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

// Main runs custody-verify with the process's arguments and returns its
// exit code.
func Main() int { return Run(os.Args[1:], os.Stdout, os.Stderr) }

// exitError carries an exit code out of a cobra command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

func unreadable(err error) error { return &exitError{code: 2, err: err} }

// Run runs custody-verify with args and returns its exit code.
func Run(args []string, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if ee.err != nil {
			fmt.Fprintln(stderr, "custody-verify:", ee.err)
		}
		return ee.code
	default: // flag and argument errors from cobra
		fmt.Fprintln(stderr, "custody-verify:", err)
		return 2
	}
}

type commonFlags struct {
	trust []string
	json  bool
}

func (c *commonFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&c.trust, "trust", nil, "PEM or DER file of trust anchors for the timestamps (repeatable); any certificate in it is an anchor")
	cmd.Flags().BoolVar(&c.json, "json", false, "print the report as JSON (docs/verify-json.md)")
}

func newRootCmd() *cobra.Command {
	var common commonFlags
	var signer string
	var custody custodyFlags
	var consistentWith, olderSigner, reportOut string
	root := &cobra.Command{
		Use:   "custody-verify [--trust ROOTS.pem] [--signer FINGERPRINT|KEY.pub] [--json] case.custody|case.pdf|DIR",
		Short: "Verify a custody evidence bundle offline",
		Long: `custody-verify checks a .custody bundle without any network access.

Verdicts (ETSI EN 319 102-1):
  PASSED         exit 0  intact, sealed, and a timestamp chains to a --trust anchor
  FAILED         exit 1  something was altered, forged, added or is missing
  INDETERMINATE  exit 3  nothing proven altered, but a check could not be made:
                         no timestamp chains to a --trust anchor, or the file is
                         not the sealed container (re-zipped, re-saved PDF, or a
                         folder of extracted files: the content is still checked)
  (exit 2: usage error, unreadable input, or not a custody file)

The argument is a .custody bundle, a standalone PDF, or a folder into which
a bundle was extracted.`,
		Args:          usageWithoutArgs(cobra.ExactArgs(1)),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := bundleOptions(common.trust, signer)
			if err != nil {
				return err
			}
			if err := custody.apply(&opts); err != nil {
				return err
			}
			if consistentWith != "" && reportOut != "" {
				return &exitError{code: 2, err: errors.New("--report is for one file, not with --consistent-with")}
			}
			if consistentWith != "" {
				olderOpts := opts
				if olderSigner != "" {
					if olderOpts, err = bundleOptions(common.trust, olderSigner); err != nil {
						return err
					}
					olderOpts.Actors = opts.Actors
				}
				return runConsistency(cmd, consistentWith, args[0], opts, olderOpts, common.json)
			}
			if olderSigner != "" {
				return &exitError{code: 2, err: errors.New("--older-signer goes with --consistent-with")}
			}
			rep, err := verify.File(args[0], opts)
			if err != nil {
				return unreadable(err)
			}
			var reportNote string
			if reportOut != "" {
				digest, err := writeReport(reportOut, args[0], rep, opts.Trust, custody.record, os.Args[1:])
				if err != nil {
					return err
				}
				reportNote = "; verification report SHA-256 " + digest
			}
			if custody.record {
				if err := custody.recordVerdict(cmd, args[0], rep, reportNote); err != nil {
					return err
				}
			}
			return finish(cmd, rep.Result, rep, common.json, func(w io.Writer) { printBundleReport(w, rep) })
		},
	}
	common.add(root)
	root.Flags().StringVar(&signer, "signer", "", "expected signer: key fingerprint (SHA-256 hex) or a public key PEM file")
	custody.add(root)
	root.Flags().StringVar(&reportOut, "report", "", "also write a verification report PDF to file (verdict, what was proven, every check, the verifier): one to file with a court or college")
	root.Flags().StringVar(&consistentWith, "consistent-with", "", "an older bundle of the same conversation: verify both and prove the given (newer) one extends it unchanged")
	root.Flags().StringVar(&olderSigner, "older-signer", "", "with --consistent-with: the older bundle's expected signer, when another key sealed it (fingerprint or public key PEM file)")
	root.AddCommand(newTSRCmd())
	versioncmd.Add(root, "custody-verify")
	return root
}

// usageWithoutArgs: called with no argument at all, a program prints its
// usage (exit 2) rather than a terse complaint; otherwise check decides.
func usageWithoutArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			cmd.SetOut(cmd.ErrOrStderr()) // a usage error: not the output
			cmd.Usage()
			return &exitError{code: 2}
		}
		return check(cmd, args)
	}
}

func finish(cmd *cobra.Command, result verify.Status, rep any, asJSON bool, human func(io.Writer)) error {
	w := cmd.OutOrStdout()
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return unreadable(err)
		}
	} else {
		human(w)
	}
	if code := result.ExitCode(); code != 0 {
		return &exitError{code: code}
	}
	return nil
}

var fingerprintPattern = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)

func bundleOptions(trustFiles []string, signer string) (verify.Options, error) {
	var opts verify.Options
	var err error
	if opts.Trust, err = readCertificates(trustFiles); err != nil {
		return opts, err
	}
	switch {
	case signer == "":
	case fingerprintPattern.MatchString(signer):
		opts.SignerFingerprint = strings.ToLower(signer)
	default:
		data, err := os.ReadFile(signer)
		if err != nil {
			return opts, unreadable(fmt.Errorf("--signer: %q is neither a 64-hex-digit fingerprint nor a readable key file: %w", signer, err))
		}
		if opts.SignerKey, err = manifest.ParsePublicKey(data); err != nil {
			return opts, unreadable(fmt.Errorf("--signer %s: %w", signer, err))
		}
	}
	return opts, nil
}

func printBundleReport(w io.Writer, rep *verify.Report) {
	// Every string below may come from the file under verification: safe.
	fmt.Fprintf(w, "%s  %s\n", rep.Result, safe(rep.File))
	if rep.Summary != "" {
		fmt.Fprintf(w, "  %s\n", rep.Summary)
	}
	fmt.Fprintln(w)
	if rep.Signer.Fingerprint != "" {
		identity := "identity NOT checked (no --signer)"
		if rep.Signer.Checked {
			identity = "identity checked: the expected key"
		}
		fmt.Fprintf(w, "  signer      %s (%s), %s\n", safe(rep.Signer.Fingerprint), safe(rep.Signer.Algorithm), identity)
	}
	for _, ts := range rep.Timestamps {
		fmt.Fprintf(w, "  timestamp   %s by %s, %s\n", ts.Time.UTC().Format("2006-01-02 15:04:05 UTC"), safe(ts.TSA), trustWord(ts.Trusted))
	}
	if rep.Format != "" {
		fmt.Fprintf(w, "  messages    %d of %d, %d attachments\n", rep.Messages, rep.Total, rep.Attachments)
		fmt.Fprintf(w, "  export      %s at %s\n", safe(rep.ExportID), safe(rep.ExportedAt))
		fmt.Fprintf(w, "  manifest    SHA-256 %s\n", rep.Manifest)
	}
	printDisclosure(w, rep)
	if len(rep.Custody) > 0 {
		fmt.Fprintf(w, "\n  custody log, %d events:\n", len(rep.Custody))
		PrintTimeline(w, rep.Custody, ActorsChecked(rep))
	}
	fmt.Fprintln(w)
	printChecks(w, rep.Checks)
}

func trustWord(trusted bool) string {
	if trusted {
		return "trusted"
	}
	return "NOT trusted"
}

func printChecks(w io.Writer, checks []verify.Check) {
	width := 0
	for _, c := range checks {
		width = max(width, len(c.Name))
	}
	for _, c := range checks {
		reason := ""
		if sub := c.SubIndication(); sub != "" {
			reason = " [" + string(sub) + "]"
		}
		fmt.Fprintf(w, "  %-13s %-*s  %s%s\n", c.Status, width, c.Name, safe(c.Detail), reason)
	}
}

// readCertificates reads --trust or --certs files; an unreadable one is a
// usage problem (exit 2), not a verdict.
func readCertificates(files []string) ([]*x509.Certificate, error) {
	certs, err := verify.ReadCertificateFiles(files)
	if err != nil {
		return nil, unreadable(err)
	}
	return certs, nil
}
