package main

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/custodylog/logwriter"
	"github.com/custody-toolkit/custody/internal/verifycli"
	"github.com/custody-toolkit/custody/tsa"
	"github.com/custody-toolkit/custody/verify"
)

func init() { subcommands = append(subcommands, newLogCmd) }

func newLogCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "log",
		Short: "The chain-of-custody log of a bundle: who held it, when, and what they did",
		Long: `Each holder of a bundle appends a signed event to its custody log
(META-INF/custody/, docs/custody-log.md). The sealed content is never
touched: custody-verify checks every event and shows the timeline.`,
	}
	cmd.AddCommand(newLogAppendCmd(), newLogShowCmd())
	return cmd
}

type logAppendFlags struct {
	key, name, role, action, note string
	tsaURL                        string
	tsaTimeout, lockWait          time.Duration
	trust, revocation             []string
	pkcs11Module                  string
	insecureKeyPerms              bool
}

func newLogAppendCmd() *cobra.Command {
	var f logAppendFlags
	cmd := &cobra.Command{
		Use:   "append case.custody --key FILE --name NAME --role ROLE --action ACTION [--note TEXT] [--tsa URL]",
		Short: "Sign and add one event to a bundle's custody log, atomically",
		Long: `Append signs an event with --key and adds it to the bundle's custody log.
The bundle is rewritten into a temporary file and renamed: every existing
entry is copied byte for byte, so the sealed content, its signature and its
timestamps stay identical. Concurrent appends to the same file wait for each
other (--lock-wait).

Actions: ` + strings.Join(custodylog.Actions, ", ") + ` ("other" needs --note).
With --action verified the bundle is verified first (--trust) and the
verdict goes into the event's note.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runLogAppend(cmd, args[0], &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.key, "key", "", "the actor's private key (custody keygen), a PKCS#12 file (.p12), a card's pkcs11: URI or a KMS key (hashivault://, awskms://, gcpkms://, azurekms://); passphrase or PIN from CUSTODY_PASSPHRASE or the terminal")
	fl.StringVar(&f.name, "name", "", "the actor's name, as it should appear in the timeline")
	fl.StringVar(&f.role, "role", "", "the actor's role, e.g. clinician, expert, college, court")
	fl.StringVar(&f.action, "action", "", "what happened: "+strings.Join(custodylog.Actions, ", "))
	fl.StringVar(&f.note, "note", "", "free text, e.g. how it was received and the case number")
	fl.StringVar(&f.tsaURL, "tsa", "", "RFC 3161 TSA URL: timestamp the event's signature")
	fl.DurationVar(&f.tsaTimeout, "tsa-timeout", tsa.DefaultTimeout, "give up on the TSA after this long")
	fl.DurationVar(&f.lockWait, "lock-wait", logwriter.DefaultLockWait, "wait this long for another append to the same bundle")
	fl.StringArrayVar(&f.revocation, "revocation", nil, "a CRL or OCSP response (DER or PEM) to store with the event, covered by its signature (repeatable): a revocation update (docs/long-term.md)")
	fl.StringArrayVar(&f.trust, "trust", nil, "with --action verified: trust anchors for the timestamps (repeatable)")
	fl.StringVar(&f.pkcs11Module, "pkcs11-module", "", pkcs11ModuleUsage)
	fl.BoolVar(&f.insecureKeyPerms, "insecure-key-permissions", false, "accept a private key file readable by group or others")
	return cmd
}

func runLogAppend(cmd *cobra.Command, path string, f *logAppendFlags) error {
	switch {
	case f.key == "":
		return usagef("log append: --key is required")
	case !slices.Contains(custodylog.Actions, f.action):
		return usagef("log append: --action must be one of %s", strings.Join(custodylog.Actions, ", "))
	case f.action == custodylog.Other && strings.TrimSpace(f.note) == "":
		return usagef("log append: --action other needs a --note saying what happened")
	case f.action == custodylog.Sealed:
		return usagef("log append: only the export writes the %q event", custodylog.Sealed)
	case f.action == custodylog.Renewed:
		return usagef("log append: custody renew writes the %q event", custodylog.Renewed)
	case len(f.trust) > 0 && f.action != custodylog.Verified:
		return usagef("log append: --trust is only used with --action verified")
	}
	if _, err := os.Stat(path); err != nil {
		return err
	}
	revocation, err := readRevocationFiles(f.revocation)
	if err != nil {
		return err
	}
	// The key first, as export does: its unlock's memory is returned
	// (loadSigner) before a verification needs its own, not taken on top
	// of what the verification left.
	key, err := loadSigner(f.key, f.pkcs11Module, f.insecureKeyPerms)
	if err != nil {
		return err
	}
	note := f.note
	if f.action == custodylog.Verified {
		verdict, err := verifyForRecord(path, f.trust)
		if err != nil {
			return err
		}
		fmt.Fprintln(cmd.OutOrStdout(), verdict)
		note = strings.TrimSpace(verdict + "\n" + note)
	}
	s := logwriter.Signer{Key: key}
	if f.tsaURL != "" {
		s.Timestamp, s.CheckToken = (&tsa.Client{URL: f.tsaURL, Timeout: f.tsaTimeout}).Timestamp, checkToken
	}
	rec, err := logwriter.Append(cmd.Context(), path, custodylog.Event{
		Actor: custodylog.Actor{Name: f.name, Role: f.role}, Action: f.action, Note: note,
	}, s, logwriter.AppendOptions{LockWait: f.lockWait, Revocation: revocation})
	if err != nil {
		return err
	}
	e := rec.Event
	fmt.Fprintf(cmd.OutOrStdout(), "appended event %d to %s: %s at %s by key %s\n", e.Seq, path, e.Action, e.Time, e.Actor.Fingerprint)
	if rec.Token != nil {
		fmt.Fprintln(cmd.OutOrStdout(), "  timestamped:", custodylog.EntryName(e.Seq, custodylog.PartToken))
	}
	return nil
}

// verifyForRecord runs custody-verify's checks in process and words the
// verdict for the event's note: the verifier binary itself never signs.
func verifyForRecord(path string, trustFiles []string) (string, error) {
	roots, err := readTrust(trustFiles)
	if err != nil {
		return "", err
	}
	rep, err := verify.BundleFile(path, verify.Options{Trust: roots})
	if err != nil {
		return "", err
	}
	return rep.RecordNote(), nil
}

type logShowFlags struct {
	trust  []string
	actors string
	json   bool
}

func newLogShowCmd() *cobra.Command {
	var f logShowFlags
	cmd := &cobra.Command{
		Use:   "show case.custody [--trust ROOTS.pem] [--trust-actors FILE] [--json]",
		Short: "Print the custody timeline of a bundle, each event verified",
		Long: `Show verifies the bundle as custody-verify does and prints its custody
timeline and the custody checks. It exits 1 when the bundle FAILED.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runLogShow(cmd, args[0], &f) },
	}
	cmd.Flags().StringArrayVar(&f.trust, "trust", nil, "trust anchors for the timestamps (repeatable)")
	cmd.Flags().StringVar(&f.actors, "trust-actors", "", `file of recognised actors, one "FINGERPRINT<TAB>NAME" per line`)
	cmd.Flags().BoolVar(&f.json, "json", false, "print the timeline and the custody checks as JSON")
	return cmd
}

// logShowReport is the JSON form of custody log show.
type logShowReport struct {
	File    string                `json:"file"`
	Result  verify.Status         `json:"result"` // of the whole bundle
	Custody []verify.CustodyEvent `json:"custody"`
	Checks  []verify.Check        `json:"checks"` // the custody checks only
}

func runLogShow(cmd *cobra.Command, path string, f *logShowFlags) error {
	var opts verify.Options
	var err error
	if opts.Trust, err = readTrust(f.trust); err != nil {
		return err
	}
	if f.actors != "" {
		actors, err := verifycli.ReadActors(f.actors)
		if err != nil {
			return usageError{err}
		}
		opts.Actors = actors
	}
	rep, err := verify.BundleFile(path, opts)
	if err != nil {
		return err
	}
	out := logShowReport{File: path, Result: rep.Result, Custody: rep.Custody, Checks: []verify.Check{}}
	for _, c := range rep.Checks {
		if strings.HasPrefix(c.Name, "custody") || c.Status == verify.Failed {
			out.Checks = append(out.Checks, c)
		}
	}
	w := cmd.OutOrStdout()
	if f.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(w, "custody log of %s: %d events (bundle %s)\n\n", path, len(rep.Custody), rep.Result)
		verifycli.PrintTimeline(w, rep.Custody, f.actors != "")
		fmt.Fprintln(w)
		verifycli.PrintChecks(w, out.Checks)
	}
	if rep.Result == verify.Failed {
		return errors.New(path + ": FAILED verification (run custody-verify for the full report)")
	}
	return nil
}

// readTrust reads --trust files; an unreadable one is a usage error.
func readTrust(files []string) ([]*x509.Certificate, error) {
	certs, err := verify.ReadCertificateFiles(files)
	if err != nil {
		return nil, usagef("--trust: %v", err)
	}
	return certs, nil
}
