package main

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/custodylog/logwriter"
	"github.com/custody-toolkit/custody/keys"
	"github.com/custody-toolkit/custody/pdfseal"
	"github.com/custody-toolkit/custody/tsa"
)

func init() { subcommands = append(subcommands, newRenewCmd) }

type renewFlags struct {
	key, name, role, tsaURL, out string
	revocation                   []string
	tsaTimeout, lockWait         time.Duration
	insecureKeyPerms             bool
}

func newRenewCmd() *cobra.Command {
	var f renewFlags
	cmd := &cobra.Command{
		Use:   "renew case.custody|case.pdf --tsa URL [--key FILE] [--revocation FILE]… [--out FILE]",
		Short: "Add an archive timestamp over everything that proves the seal today",
		Long: `Renew appends a "renewed" event to the bundle's custody log: it commits by
SHA-256 to manifest.json, its signature, every timestamp token and the whole
log before it (earlier renewals included), and --tsa timestamps the event
itself. The proof then outlives the certificates of the timestamps before it,
as long as it is made before they expire or are revoked (docs/long-term.md).
No sealed byte changes.

--revocation (repeatable) stores CRLs or OCSP responses (DER or PEM) for the
signer's and the TSAs' certificates with the event, covered by it; custody
revocation fetch downloads them. Without --key the event is signed with a
one-time key: the archive timestamp carries the proof, not the signature.

A standalone PDF (custody export --pdf) is renewed with a PAdES document
timestamp (B-LTA): an incremental update holding the revocation data and the
certificates of earlier document timestamps in the document security store,
then an RFC 3161 timestamp over the whole PDF, the embedded bundle included,
which stays as it is. The PDF is rewritten in place unless --out names a new
file: a verifier older than custody 2026-12-03 reports a renewed PDF FAILED
(bytes after the signature), so keep the original where one may read it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runRenew(cmd, args[0], &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.tsaURL, "tsa", "", "RFC 3161 TSA URL of the archive timestamp (best another TSA than the one whose certificate ends first)")
	fl.StringVar(&f.key, "key", "", "the renewer's private key (from custody keygen, or a .p12); default: a one-time key")
	fl.StringVar(&f.name, "name", "", "the renewer's name, as it should appear in the timeline")
	fl.StringVar(&f.role, "role", "archive", "the renewer's role")
	fl.StringArrayVar(&f.revocation, "revocation", nil, "a CRL or OCSP response (DER or PEM) to store with the renewal (repeatable)")
	fl.DurationVar(&f.tsaTimeout, "tsa-timeout", tsa.DefaultTimeout, "give up on the TSA after this long")
	fl.DurationVar(&f.lockWait, "lock-wait", logwriter.DefaultLockWait, "wait this long for another append to the same bundle")
	fl.StringVar(&f.out, "out", "", "standalone PDF: write the renewed PDF here instead of in place")
	fl.BoolVar(&f.insecureKeyPerms, "insecure-key-permissions", false, "accept a private key file readable by group or others")
	return cmd
}

func runRenew(cmd *cobra.Command, path string, f *renewFlags) error {
	if f.tsaURL == "" {
		return usagef("renew: --tsa is required: the archive timestamp is the renewal")
	}
	if _, err := os.Stat(path); err != nil {
		return err
	}
	revocation, err := readRevocationFiles(f.revocation)
	if err != nil {
		return err
	}
	if isPDF(path) {
		return renewPDF(cmd, path, f, revocation)
	}
	if f.out != "" {
		return usagef("renew: --out is for a standalone PDF; a bundle is renewed in place, by appending to its custody log")
	}
	key, err := renewalKey(f)
	if err != nil {
		return err
	}
	s := logwriter.Signer{Key: key, CheckToken: checkToken,
		Timestamp: (&tsa.Client{URL: f.tsaURL, Timeout: f.tsaTimeout}).Timestamp}
	rec, err := logwriter.Append(cmd.Context(), path, custodylog.Event{
		Actor: custodylog.Actor{Name: f.name, Role: f.role}, Action: custodylog.Renewed,
		Note: "archive timestamp (custody renew)",
	}, s, logwriter.AppendOptions{LockWait: f.lockWait, Revocation: revocation})
	if err != nil {
		return err
	}
	e := rec.Event
	fmt.Fprintf(cmd.OutOrStdout(), "renewed %s: event %d at %s, archive timestamp %s, %d revocation entries\n",
		path, e.Seq, e.Time, custodylog.EntryName(e.Seq, custodylog.PartToken), len(rec.Revocation))
	return nil
}

// renewalKey is --key, or a one-time key: a renewal's proof is its
// archive timestamp, and an archive may hold no key of its own.
func renewalKey(f *renewFlags) (*keys.Signer, error) {
	if f.key != "" {
		return keys.Load(f.key, keys.LoadOptions{
			Passphrase:          keys.PassphraseFromEnvOrTerminal("Passphrase for "+f.key+": ", false),
			InsecurePermissions: f.insecureKeyPerms,
		})
	}
	k, err := keys.Generate("ed25519")
	if err != nil {
		return nil, err
	}
	return keys.NewSigner(k, nil)
}

// isPDF tells a standalone PDF from a bundle by its first bytes.
func isPDF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 5)
	_, err = io.ReadFull(f, head)
	return err == nil && string(head) == "%PDF-"
}

// renewPDF appends a document timestamp to a standalone PDF, writing the
// result next to the output and renaming it over the output once it is
// complete, so that a failure leaves the PDF as it was.
func renewPDF(cmd *cobra.Command, path string, f *renewFlags, revocation []logwriter.Revocation) error {
	if f.key != "" || f.name != "" {
		return usagef("renew: a PDF's document timestamp has no signer: --key and --name are for a bundle's renewed event")
	}
	opts := pdfseal.RenewOptions{Timestamper: &tsa.Client{URL: f.tsaURL, Timeout: f.tsaTimeout}}
	for _, r := range revocation {
		if r.Kind == custodylog.RevocationCRL {
			opts.CRLs = append(opts.CRLs, r.DER)
		} else {
			opts.OCSPs = append(opts.OCSPs, r.DER)
		}
	}
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	out := cmp.Or(f.out, path)
	tmp, err := os.CreateTemp(filepath.Dir(out), ".renew-*.pdf")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	stamp, err := pdfseal.AddDocumentTimestamp(cmd.Context(), w, in, st.Size(), opts)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), st.Mode().Perm())
	}
	if err == nil {
		err = os.Rename(tmp.Name(), out)
	}
	if err != nil {
		return fmt.Errorf("renew %s: %w", path, err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "renewed %s: document timestamp at %s by %q, %d revocation entries; wrote %s\n",
		path, stamp.Time.UTC().Format(time.RFC3339), stamp.SignerCert.Subject.String(), len(revocation), out)
	return nil
}
