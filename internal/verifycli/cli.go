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
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"

	"github.com/custody-toolkit/custody/internal/lang"
	"github.com/custody-toolkit/custody/internal/progress"
	"github.com/custody-toolkit/custody/internal/versioncmd"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/translog"
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

// reportFlags shape the bundle report: its language and progress.
type reportFlags struct {
	lang  string
	quiet bool
}

func (c *commonFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&c.trust, "trust", nil, "PEM or DER file of trust anchors for the timestamps (repeatable); any certificate in it is an anchor")
	cmd.Flags().BoolVar(&c.json, "json", false, "print the report as JSON (docs/verify-json.md)")
}

func (r *reportFlags) add(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&r.quiet, "quiet", false, "show no progress (shown on stderr only when it is a terminal and the work takes over a second)")
	cmd.Flags().StringVar(&r.lang, "lang", "en", "language of the text report's labels and dates: "+strings.Join(lang.Codes(), " or ")+" (check details, verdicts and the JSON report stay as they are)")
}

// terms returns the words of --lang; an unknown language is a usage error.
func (r *reportFlags) terms() (lang.Terms, error) {
	t, err := lang.Lookup(r.lang)
	if err != nil {
		return t, unreadable(fmt.Errorf("--lang: %w", err))
	}
	return t, nil
}

func newRootCmd() *cobra.Command {
	var common commonFlags
	var report reportFlags
	var signer string
	var trustSigners, trustLogs []string
	var custody custodyFlags
	var consistentWith, olderSigner, reportOut, at string
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
			terms, err := report.terms()
			if err != nil {
				return err
			}
			opts, err := bundleOptions(common.trust, signer)
			if err != nil {
				return err
			}
			if opts.TrustSigners, err = readCertificates(trustSigners); err != nil {
				return err
			}
			if opts.TrustLogs, err = readLogKeys(trustLogs); err != nil {
				return err
			}
			if err := custody.apply(&opts); err != nil {
				return err
			}
			if opts.At, err = parseAt(at); err != nil {
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
					olderOpts.Actors, olderOpts.TrustSigners, olderOpts.TrustLogs = opts.Actors, opts.TrustSigners, opts.TrustLogs
				}
				return runConsistency(cmd, consistentWith, args[0], opts, olderOpts, common.json, terms)
			}
			if olderSigner != "" {
				return &exitError{code: 2, err: errors.New("--older-signer goes with --consistent-with")}
			}
			bar := progress.New(cmd.ErrOrStderr(), report.quiet, verify.ProgressLabels)
			opts.Progress = bar.Hook()
			rep, err := verify.File(args[0], opts)
			bar.Done()
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
			return finish(cmd, rep.Result, rep, common.json, func(w io.Writer) { printBundleReport(w, rep, terms) })
		},
	}
	common.add(root)
	report.add(root)
	root.Flags().StringVar(&signer, "signer", "", "expected signer: key fingerprint (SHA-256 hex) or a public key PEM file")
	root.Flags().StringArrayVar(&trustSigners, "trust-signers", nil, "PEM or DER file of trust anchors for the signer's certificate, when the bundle carries one (repeatable): its name is then verified at the proven signing time")
	root.Flags().StringArrayVar(&trustLogs, "trust-log", nil, "transparency log keys to trust (repeatable): a file of note verifier keys (name+hash+key, one a line), "+
		"or a Sigstore trusted root JSON; a bundle logged with custody export --rekor is then checked to be in a trusted log, offline")
	custody.add(root)
	root.Flags().StringVar(&at, "at", "", "validate as of this time (RFC 3339, e.g. 2031-05-01T00:00:00Z) instead of the bundle's newest proof: which timestamps still prove their time then, given their certificates and the renewals (docs/long-term.md)")
	root.Flags().StringVar(&reportOut, "report", "", "also write a verification report PDF to file (verdict, what was proven, every check, the verifier): one to file with a court or college")
	root.Flags().StringVar(&consistentWith, "consistent-with", "", "an older bundle of the same conversation: verify both and prove the given (newer) one extends it unchanged")
	root.Flags().StringVar(&olderSigner, "older-signer", "", "with --consistent-with: the older bundle's expected signer, when another key sealed it (fingerprint or public key PEM file)")
	root.AddCommand(newTSRCmd())
	versioncmd.Add(root, "custody-verify")
	return root
}

// parseAt reads --at: an RFC 3339 time; empty means now.
func parseAt(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, &exitError{code: 2, err: fmt.Errorf("--at %q: want an RFC 3339 time such as 2031-05-01T00:00:00Z", s)}
	}
	return t, nil
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

func printBundleReport(w io.Writer, rep *verify.Report, t lang.Terms) {
	// Every string below may come from the file under verification: safe.
	l := t.Label
	line := labeller(w, l)
	fmt.Fprintf(w, "%s  %s\n", rep.Result, safe(rep.File))
	if gloss := t.Verdict[string(rep.Result)]; gloss != "" {
		fmt.Fprintf(w, "  %s\n", gloss)
	}
	if rep.Summary != "" {
		fmt.Fprintf(w, "  %s\n", rep.Summary)
	}
	fmt.Fprintln(w)
	if rep.Signer.Fingerprint != "" {
		identity := l.IdentityNotChecked
		if rep.Signer.Checked {
			identity = l.IdentityChecked
		}
		line(l.Signer, "%s (%s), %s", safe(rep.Signer.Fingerprint), safe(rep.Signer.Algorithm), identity)
	}
	for _, ts := range rep.Timestamps {
		line(l.Timestamp, "%s %s %s, %s", t.Dates.UTC(ts.Time), l.By, safe(ts.TSA), trustWord(ts.Trusted, l))
	}
	if rep.Format != "" {
		line(l.Messages, l.Counts, rep.Messages, rep.Total, rep.Attachments)
		if sel := rep.Selection; sel != nil {
			line(l.Selection, "%s", safe(t.DescribeSelection(rep.Messages, rep.Total, sel.Criteria)))
		}
		printIntake(line, rep.Intake, t)
		line(l.Export, "%s %s %s", safe(rep.ExportID), l.At, moment(rep.ExportedAt, t.Dates))
		line(l.Manifest, "SHA-256 %s", rep.Manifest)
	}
	if d := rep.Disclosure; d != nil {
		line(l.Disclosure, "%s", safe(d.String()))
	}
	if len(rep.Custody) > 0 {
		fmt.Fprintf(w, "\n  "+l.CustodyLog+"\n", len(rep.Custody))
		PrintTimeline(w, rep.Custody, ActorsChecked(rep))
	}
	fmt.Fprintln(w)
	if l.Note != "" {
		fmt.Fprintf(w, "  %s\n", l.Note)
	}
	printChecks(w, rep.Checks)
}

// printIntake shows the sealed intake statement, when there is one.
// moment words a sealed RFC 3339 time in the reader's format, with its
// offset; one that does not parse is shown as sealed.
func moment(sealed string, d lang.DateWords) string {
	at, err := time.Parse(time.RFC3339Nano, sealed)
	if err != nil {
		return safe(sealed)
	}
	return d.Moment(at)
}

func printIntake(line func(label, format string, args ...any), in *verify.Intake, t lang.Terms) {
	if in == nil {
		return
	}
	for _, l := range t.DescribeIntake(in.Words()) {
		line(l.Label, "%s", safe(l.Text))
	}
}

// labeller returns a printer of "  label   value" lines, the labels of l
// padded to one column.
func labeller(w io.Writer, l lang.Labels) func(label, format string, args ...any) {
	width := 10
	for _, s := range []string{l.Signer, l.Timestamp, l.Messages, l.Selection, l.Export, l.Manifest, l.Disclosure} {
		width = max(width, utf8.RuneCountInString(s))
	}
	return func(label, format string, args ...any) {
		// Intake labels are not in the width, so that a report without an
		// intake keeps its columns; one longer than the column gets a space.
		pad := strings.Repeat(" ", max(1, width+2-utf8.RuneCountInString(label)))
		fmt.Fprintf(w, "  %s%s"+format+"\n", append([]any{label, pad}, args...)...)
	}
}

func trustWord(trusted bool, l lang.Labels) string {
	if trusted {
		return l.Trusted
	}
	return l.NotTrusted
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

// readLogKeys reads the --trust-log files (translog.ParseTrusted).
func readLogKeys(files []string) ([]note.Verifier, error) {
	var keys []note.Verifier
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err == nil {
			var more []note.Verifier
			more, err = translog.ParseTrusted(data)
			keys = append(keys, more...)
		}
		if err != nil {
			return nil, unreadable(fmt.Errorf("--trust-log %s: %w", f, err))
		}
	}
	return keys, nil
}
