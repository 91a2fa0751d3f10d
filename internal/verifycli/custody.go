package verifycli

import (
	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/custodylog/logwriter"
	"github.com/custody-toolkit/custody/keys"

	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/custody-toolkit/custody/internal/lang"
	"github.com/custody-toolkit/custody/verify"
)

// custodyFlags are custody-verify's flags about the chain-of-custody log.
type custodyFlags struct {
	actors        string
	record        bool
	key           string
	name, role    string
	insecureKeyOK bool
}

func (c *custodyFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&c.actors, "trust-actors", "", `file of recognised custody actors, one "FINGERPRINT<TAB>NAME" per line`)
	fl.BoolVar(&c.record, "record", false, `after verifying, append a signed "verified" event carrying the verdict to the bundle's custody log (needs --key)`)
	fl.StringVar(&c.key, "key", "", "with --record: your private key (custody keygen); passphrase from CUSTODY_PASSPHRASE or the terminal")
	fl.StringVar(&c.name, "name", "", "with --record: your name, as the timeline shows it")
	fl.StringVar(&c.role, "role", "expert", "with --record: your role (expert, college, court, …)")
	fl.BoolVar(&c.insecureKeyOK, "insecure-key-permissions", false, "with --record: accept a key file readable by group or others")
}

// apply adds the recognised actors to opts and checks --record's flags.
func (c *custodyFlags) apply(opts *verify.Options) error {
	if c.record != (c.key != "") {
		return &exitError{code: 2, err: errors.New("--record and --key go together")}
	}
	if c.actors == "" {
		return nil
	}
	actors, err := ReadActors(c.actors)
	if err != nil {
		return unreadable(err)
	}
	opts.Actors = actors
	return nil
}

// maxActorsFile bounds a --trust-actors file: a list of keys and names.
const maxActorsFile = 4 << 20

// ReadActors reads a --trust-actors file (verify.ParseActors).
func ReadActors(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--trust-actors: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxActorsFile+1))
	if err != nil {
		return nil, fmt.Errorf("--trust-actors %s: %w", path, err)
	}
	if len(data) > maxActorsFile {
		return nil, fmt.Errorf("--trust-actors %s: larger than %d bytes", path, maxActorsFile)
	}
	actors, err := verify.ParseActors(data)
	if err != nil {
		return nil, fmt.Errorf("--trust-actors %s: %w", path, err)
	}
	return actors, nil
}

// ActorsChecked reports whether rep was made with --trust-actors: without
// it the verifier says so in its "custody actors" check.
func ActorsChecked(rep *verify.Report) bool {
	for _, c := range rep.Checks {
		if c.Name == "custody actors" {
			return false
		}
	}
	return true
}

// PrintChecks prints checks as custody-verify's report does.
func PrintChecks(w io.Writer, checks []verify.Check) { printChecks(w, checks) }

// PrintTimeline prints the custody log's events, oldest first. With
// actorsChecked (--trust-actors given) each actor is shown recognised or
// not.
func PrintTimeline(w io.Writer, events []verify.CustodyEvent, actorsChecked bool) {
	for _, e := range events {
		who := e.Actor.Name
		if who == "" {
			who = "(no name)"
		}
		if e.Actor.Role != "" {
			who += " (" + e.Actor.Role + ")"
		}
		when := strings.Replace(strings.Replace(e.Time, "T", " ", 1), "Z", " UTC", 1)
		fmt.Fprintf(w, "  #%-3d %s  %-18s %q\n", e.Seq, safe(when), safe(e.Action), who)
		known := "identity not checked (no --trust-actors)"
		switch {
		case e.Recognised:
			known = fmt.Sprintf("recognised as %q", e.KnownAs)
		case actorsChecked:
			known = "UNRECOGNISED (not in --trust-actors)"
		}
		fmt.Fprintf(w, "       key %s, %s\n", e.Actor.Fingerprint, known)
		if ts := e.Timestamp; ts != nil {
			fmt.Fprintf(w, "       timestamp %s by %s, %s\n", ts.Time.UTC().Format("2006-01-02 15:04:05 UTC"), safe(ts.TSA), trustWord(ts.Trusted, lang.English.Label))
		}
		if e.Note != "" {
			// Quoted on one line, newlines and every character that is not
			// printable escaped: a note cannot draw lines that look like
			// the report's own ("key …, recognised as …", an event).
			fmt.Fprintf(w, "       note %q\n", e.Note)
		}
	}
}

// recordVerdict appends the "verified" event: the verdict, signed by the
// expert's key, goes into the bundle's custody log (outside the seal, which
// it leaves byte for byte). The key is loaded and used here without the
// exporter's signing stack: no network code enters custody-verify.
//
// note ends the event's note (the SHA-256 of a --report written with it).
func (c *custodyFlags) recordVerdict(cmd *cobra.Command, path string, rep *verify.Report, note string) error {
	if strings.HasSuffix(strings.ToLower(path), ".pdf") || rep.Format == "" {
		return &exitError{code: 2, err: errors.New("--record: only a readable .custody bundle can be recorded into (a signed PDF cannot change)")}
	}
	if rep.Summary != "" {
		return &exitError{code: 2, err: errors.New("--record: only the sealed .custody bundle can be recorded into, not a repacked one or a folder")}
	}
	key, err := keys.Load(c.key, keys.LoadOptions{
		Passphrase:          keys.PassphraseFromEnvOrTerminal("Passphrase for "+c.key+": ", false),
		InsecurePermissions: c.insecureKeyOK,
	})
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	signer := logwriter.Signer{Key: key}
	event := custodylog.Event{Actor: custodylog.Actor{Name: c.name, Role: c.role}, Action: custodylog.Verified, Note: rep.RecordNote() + note}
	rec, err := logwriter.Append(cmd.Context(), path, event, signer, logwriter.AppendOptions{})
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("--record: %w", err)}
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "custody-verify: recorded event %d (verified, %s) in %s\n", rec.Event.Seq, rep.Result, path)
	return nil
}
