package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/importer"
	"github.com/custody-toolkit/custody/internal/atomicfile"
	"github.com/custody-toolkit/custody/internal/lang"
	"github.com/custody-toolkit/custody/internal/memlimit"
	"github.com/custody-toolkit/custody/internal/progress"
	"github.com/custody-toolkit/custody/keys/sigalg"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/pdfseal"
	"github.com/custody-toolkit/custody/translog"
	"github.com/custody-toolkit/custody/translog/rekor"
	"github.com/custody-toolkit/custody/tsa"
	"github.com/custody-toolkit/custody/verify"
)

func init() { subcommands = append(subcommands, newExportCmd) }

type exportFlags struct {
	in, key, out     string
	tsaURLs          []string
	rekorURLs        []string
	revocation       []string
	tsaTimeout       time.Duration
	force            bool
	pkcs11Module     string
	insecureKeyPerms bool
	sel              custody.Selection
	disclosure       disclosureFlags
	pdf              string
	pdfCert          string
	quiet            bool
	imp              *importer.Options
	actor            custodylog.Actor
	intake           custody.Intake
	policy           string
	renderingFlags
}

// exportSteps name the steps of custody.Options.Progress on the bar.
var exportSteps = map[string]string{
	"messages":   "sealing messages",
	"record.pdf": "rendering record.pdf",
	"timestamps": "asking the TSAs",
}

func newExportCmd() *cobra.Command {
	var f exportFlags
	cmd := &cobra.Command{
		Use:   "export --in PATH --key FILE --tsa URL --out case.custody",
		Short: "Seal a conversation (or a selection of it) into a .custody bundle",
		Long: `Export reads a conversation, keeps the selected messages, and writes a bundle:
message entries and attachments, a manifest that lists and hash-chains them,
the signature of the key over the manifest, and one RFC 3161 timestamp per
--tsa. Nothing is written at --out unless everything succeeded.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runExport(cmd, &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.in, "in", "", "the conversation: custody's own (conversation.json, or its folder); a WhatsApp export, Android or iOS, any language "+
		"(the .zip, the unzipped folder, or the chat's .txt); a Telegram Desktop JSON export (result.json, or its folder)")
	fl.StringVar(&f.key, "key", "", "the signer's private key (custody keygen), a PKCS#12 file (.p12), a card's pkcs11: URI or a KMS key (hashivault://, awskms://, gcpkms://, azurekms://); passphrase or PIN from CUSTODY_PASSPHRASE or the terminal")
	fl.StringArrayVar(&f.tsaURLs, "tsa", nil, "RFC 3161 TSA URL (repeatable: each TSA adds a token)")
	fl.StringArrayVar(&f.rekorURLs, "rekor", nil, "Rekor v2 transparency log URL (repeatable): the seal is logged there and the entry, "+
		"with its inclusion proof and signed checkpoint, stored in the bundle (format custody.bundle/v4); "+
		"only a digest, a signature and the public key go to the log")
	fl.StringArrayVar(&f.revocation, "revocation", nil, "a CRL or OCSP response (DER or PEM) for the signer's or a TSA's certificate, stored with the custody log's first event (repeatable; docs/long-term.md)")
	fl.DurationVar(&f.tsaTimeout, "tsa-timeout", tsa.DefaultTimeout, "give up on a TSA after this long")
	fl.StringVar(&f.out, "out", "", "the .custody bundle to write")
	fl.BoolVar(&f.force, "force", false, "replace an existing --out")
	fl.StringVar(&f.pkcs11Module, "pkcs11-module", "", pkcs11ModuleUsage)
	fl.BoolVar(&f.insecureKeyPerms, "insecure-key-permissions", false, "accept a private key file readable by group or others")
	fl.StringVar(&f.sel.From, "from", "", "first day or instant to export (YYYY-MM-DD or RFC 3339)")
	fl.StringVar(&f.sel.To, "to", "", "last day or instant to export (YYYY-MM-DD or RFC 3339)")
	fl.StringVar(&f.sel.Messages, "messages", "", "message ids and ranges to export, e.g. m3,m7-m12")
	fl.StringVar(&f.sel.Label, "label", "", "export only messages with this label")
	fl.StringVar(&f.sel.Participant, "participant", "", "export only messages from this participant id")
	f.renderingFlags.add(cmd)
	addActorFlags(cmd, &f.actor)
	fl.StringVar(&f.pdf, "pdf", "", "also write a signed PDF for the health record, carrying the bundle (uses the first --tsa)")
	fl.StringVar(&f.pdfCert, "pdf-cert", "", "PEM file for the --pdf signature: the X.509 certificate of --key, then its issuers up to a self-issued root (default: one the key issues itself)")
	fl.StringVar(&f.intake.Purpose, "purpose", "", "why the conversation is exported, in words (sealed in the manifest)")
	fl.StringVar(&f.intake.LegalBasis, "legal-basis", "", "the legal basis for processing the health data: "+strings.Join(manifest.LegalBases, ", ")+
		" (docs/bundle-format.md §2.5)")
	fl.StringVar(&f.intake.ConsentFile, "consent", "", "the consent record (a signed form, a PDF, a recording) to seal with the export")
	fl.StringVar(&f.policy, "policy", "", "the practice's policy file (JSON): what every export must state")
	fl.BoolVar(&f.quiet, "quiet", false, "print no progress bar and no summary (warnings and errors still go to stderr)")
	f.disclosure.add(cmd)
	f.imp = addImportFlags(cmd)
	return cmd
}

func runExport(cmd *cobra.Command, f *exportFlags) error {
	memlimit.Apply(memlimit.Export) // lower than main's: an export holds less than a verification
	switch {
	case f.in == "":
		return usagef("export: --in is required")
	case f.key == "":
		return usagef("export: --key is required")
	case f.out == "":
		return usagef("export: --out is required")
	case len(f.tsaURLs) == 0:
		return usagef("export: at least one --tsa URL is required (custody tsa serve runs a local one)")
	}
	if err := f.renderingFlags.check("export"); err != nil {
		return err
	}
	if f.pdf != "" {
		if err := atomicfile.Absent(f.pdf, f.force); err != nil {
			return err
		}
	} else if f.pdfCert != "" {
		return usagef("export: --pdf-cert is for the --pdf signature; give --pdf too")
	}
	intake, policy, err := f.intakeOptions()
	if err != nil {
		return err
	}
	revocation, err := readRevocationFiles(f.revocation)
	if err != nil {
		return err
	}
	// The key first, its unlock's memory returned (loadSigner) before the
	// import and the export add their own.
	signer, err := loadSigner(f.key, f.pkcs11Module, f.insecureKeyPerms)
	if err != nil {
		return err
	}
	f.imp.Warn = func(msg string) { fmt.Fprintln(cmd.ErrOrStderr(), "custody: warning:", msg) }
	f.imp.Name = f.actor.Name
	bar := progress.New(cmd.ErrOrStderr(), f.quiet, importSteps)
	f.imp.Progress = bar.Hook()
	conv, cleanup, err := importer.Open(f.in, *f.imp)
	bar.Done()
	if err != nil {
		return err
	}
	defer cleanup()
	if f.pdfCert != "" {
		// Checked now, before anything is written: a bad chain must not
		// leave a bundle without its PDF.
		chain, err := custody.ReadCertificateChain(f.pdfCert, signer.Public(), time.Now())
		if err != nil {
			return usagef("export: --pdf-cert %v", err)
		}
		if signer, err = signer.WithChain(chain); err != nil {
			return usagef("export: --pdf-cert %v", err)
		}
	}
	if f.pdf != "" && f.pdfCert == "" && len(signer.Chain()) > 0 {
		// A PKCS#12 file's chain, checked as the PDF signature needs it
		// before anything is written.
		if err := pdfseal.CheckSignerChain(signer.Public(), signer.Chain(), time.Now()); err != nil {
			return usagef("export: the certificate chain of %s cannot sign the --pdf: %v", f.key, err)
		}
	}
	disclosure, err := f.disclosure.options(f.insecureKeyPerms)
	if err != nil {
		return err
	}
	var clients []*tsa.Client
	var stampers []custody.Timestamper
	for _, u := range f.tsaURLs {
		c := &tsa.Client{URL: u, Timeout: f.tsaTimeout}
		clients, stampers = append(clients, c), append(stampers, c)
	}
	bar = progress.New(cmd.ErrOrStderr(), f.quiet, exportSteps)
	res, err := custody.Export(cmd.Context(), conv, custody.Options{
		Out: f.out, Force: f.force, Signer: signer,
		Timestampers: stampers, CheckToken: checkToken, TransparencyLogs: transparencyLogs(f.rekorURLs), Selection: f.sel,
		Practice: f.practice, Intake: intake, Policy: policy, NoRecord: f.noRecord, Actor: f.actor, Disclosure: disclosure,
		Lang: f.lang, VerifierURL: f.verifierURL, Revocation: revocation,
		Progress: bar.Hook(),
	})
	bar.Done()
	if err != nil {
		return err
	}
	sealed, undrawn, err := summarizeSealed(conv, res.Positions, !f.noRecord)
	if err != nil {
		return err
	}
	if !f.quiet {
		printExport(cmd, res, sealed, f.imp.TimeZone == "" && conv.TimeZone != "" && !isNative(f.in, f.imp.Format))
	}
	warnMissing(cmd.ErrOrStderr(), "custody: ", sealed)
	if !f.quiet && len(undrawn.chars) > 0 {
		fmt.Fprintf(cmd.OutOrStdout(), "  undrawn:     %d character(s) shown as [U+XXXX] in record.pdf\n", len(undrawn.chars))
	}
	warnUndrawn(cmd.ErrOrStderr(), "custody: ", undrawn)
	if f.pdf == "" {
		return nil
	}
	if signer.Algorithm() == sigalg.Ed25519 {
		fmt.Fprintln(cmd.ErrOrStderr(), "custody: note: the PDF is signed with an Ed25519 key: custody-verify checks it, "+
			"but poppler and Acrobat cannot yet; create an ecdsa-p256 key (custody keygen --algorithm ecdsa-p256) for PDFs they validate")
	}
	exported, _ := time.Parse(time.RFC3339, res.Manifest.ExportedAt)
	// The PDF's signature is timestamped by the first TSA, through the
	// same client (and --tsa-timeout) as the bundle's.
	err = custody.WritePDF(cmd.Context(), res.Path, custody.PDFOptions{
		Out: f.pdf, Force: f.force, Signer: signer, Timestamper: clients[0], Time: exported,
		CheckWritten: checkPDFSignature,
	})
	if err != nil {
		return fmt.Errorf("the bundle %s was written, the PDF was not: %w", res.Path, err)
	}
	if !f.quiet {
		fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (signed, with %s attached)\n", f.pdf, res.Path)
	}
	return nil
}

// renderingFlags say how record.pdf, the PDF rendering, is made, for
// export and export-batch alike.
type renderingFlags struct {
	practice, lang, verifierURL string
	noRecord                    bool
}

func (f *renderingFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.practice, "practice", "", "practice or clinic named on the PDF rendering")
	fl.BoolVar(&f.noRecord, "no-record", false, "leave the PDF rendering (record.pdf) out of the bundle")
	fl.StringVar(&f.lang, "lang", "", "language of the PDF's labels: "+strings.Join(lang.Codes(), " or ")+" (default: the one the messages are mostly written in)")
	fl.StringVar(&f.verifierURL, "verifier-url", "", "where your practice offers the verifier (a web page or download): printed on the PDF's integrity page")
}

// check reports the flags' errors as usage errors of the command named.
func (f *renderingFlags) check(command string) error {
	if f.lang != "" {
		if _, err := lang.Lookup(f.lang); err != nil {
			return usagef("%s: --lang: %v", command, err)
		}
	}
	if f.noRecord && (f.lang != "" || f.verifierURL != "") {
		return usagef("%s: --lang and --verifier-url are sealed with the PDF rendering, which --no-record leaves out", command)
	}
	return nil
}

// addActorFlags: who seals, for the custody log's first event.
func addActorFlags(cmd *cobra.Command, actor *custodylog.Actor) {
	cmd.Flags().StringVar(&actor.Name, "name", "", "the sealing clinician's name, for the custody log's first event; a chat participant of that name is a clinician")
	cmd.Flags().StringVar(&actor.Role, "role", "clinician", "the sealing person's role, for the custody log")
}

// transparencyLogs are the Rekor v2 logs of --rekor, in order (also the
// hook for a batch export's log column: custody.Result.LogEntries, read
// with translog.Where).
func transparencyLogs(urls []string) []custody.TransparencyLog {
	var logs []custody.TransparencyLog
	for _, u := range urls {
		logs = append(logs, &rekor.Log{URL: u})
	}
	return logs
}

// printIntake shows the intake statement sealed, if any, as the verify
// report words it.
func printIntake(w io.Writer, in *manifest.Intake) {
	if in == nil {
		return
	}
	for _, l := range lang.English.DescribeIntake(verify.NewIntake(in).Words()) {
		fmt.Fprintf(w, "  %-13s%s\n", l.Label+":", l.Text)
	}
}

// intakeOptions: the intake stated by --purpose, --legal-basis and
// --consent (nil when none is given), and the --policy that governs it,
// both checked before the key is unlocked.
func (f *exportFlags) intakeOptions() (*custody.Intake, *custody.Policy, error) {
	var intake *custody.Intake
	if f.intake != (custody.Intake{}) {
		intake = &f.intake
		if intake.Purpose == "" || intake.LegalBasis == "" {
			return nil, nil, usagef("export: --purpose and --legal-basis go together (--consent needs both)")
		}
		if err := intake.Check(); err != nil {
			return nil, nil, usagef("export: %v", err)
		}
	}
	if f.policy == "" {
		return intake, nil, nil
	}
	policy, err := custody.LoadPolicy(f.policy)
	if err != nil {
		return nil, nil, usagef("export: %v", err)
	}
	if err := policy.Check(intake); err != nil {
		return nil, nil, usagef("export: %v", err)
	}
	return intake, policy, nil
}

// isNative reports whether the input is a native conversation, whose zone
// was chosen when it was imported, not now from this machine.
func isNative(in, format string) bool {
	detected, err := importer.Detect(in, format)
	return err == nil && detected == importer.Native
}

// checkToken refuses a TSA answer whose token does not hold together, or
// that a bundle could not store (a status other than granted); trust
// in the TSA is the verifier's business (--trust), not the exporter's.
func checkToken(resp, signature []byte) error {
	res, err := verify.VerifyToken(resp, bytes.NewReader(signature), verify.TokenOptions{Stored: true})
	if err != nil {
		return err
	}
	return verify.FirstFailed(res.Checks)
}

// checkPDFSignature reads back the standalone PDF written, as a verifier
// will (streamed), and refuses one whose signature does not hold.
func checkPDFSignature(r io.ReaderAt, size int64) error {
	if _, checks := verify.VerifyPDFSignature(r, size, verify.Options{}); verify.Verdict(checks) == verify.Failed {
		return fmt.Errorf("%+v", checks)
	}
	return nil
}

// printExport summarises the bundle written; sealed describes its
// messages (machineZone: their zone was taken from this machine).
func printExport(cmd *cobra.Command, res *custody.Result, sealed conversation.Summary, machineZone bool) {
	m := res.Manifest
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "wrote %s\n", res.Path)
	fmt.Fprintf(w, "  export id:   %s\n", m.ExportID)
	fmt.Fprintf(w, "  messages:    %d of %d selected\n", m.Selection.Selected, m.Selection.Total)
	fmt.Fprintf(w, "  selection:   %s\n", lang.English.DescribeSelection(m.Selection.Selected, m.Selection.Total, m.Selection.Criteria))
	printIntake(w, m.Intake)
	printConversation(w, sealed, machineZone)
	fmt.Fprintf(w, "  files:       %d\n", res.Files)
	fmt.Fprintf(w, "  chain head:  %s\n", m.Chain.Head)
	fmt.Fprintf(w, "  signer:      %s (%s)\n", res.Fingerprint, m.Signer.Algorithm)
	fmt.Fprintf(w, "  timestamps:  %d\n", len(res.Tokens))
	for i, entry := range res.LogEntries {
		if index, origin, err := translog.Where(entry); err == nil {
			fmt.Fprintf(w, "  logged:      at index %d in %s (%s)\n", index, origin, m.TransparencyLogs[i])
		}
	}
	printDisclosure(w, res)
}
