package verifycli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/custody-toolkit/custody/verify"
)

// custodyFlags are custody-verify's flags about the chain-of-custody log.
type custodyFlags struct {
	actors string
	record bool
}

func (c *custodyFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&c.actors, "trust-actors", "", `file of recognised custody actors, one "FINGERPRINT<TAB>NAME" per line`)
	cmd.Flags().BoolVar(&c.record, "record", false, "not done here: see custody log append --action verified")
}

// apply adds the recognised actors to opts, or explains --record.
func (c *custodyFlags) apply(opts *verify.Options) error {
	if c.record {
		// custody-verify holds no keys and signs nothing, so that it can
		// be trusted offline; the exporter's tool records the verdict.
		return &exitError{code: 2, err: errors.New("--record: custody-verify never signs. Record a verification with\n" +
			"  custody log append case.custody --key KEY --name NAME --role ROLE --action verified --trust ROOTS.pem\n" +
			"which runs this same verification and signs an event carrying its verdict")}
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
		fmt.Fprintf(w, "  #%-3d %s  %-18s %q\n", e.Seq, when, e.Action, who)
		known := "identity not checked (no --trust-actors)"
		switch {
		case e.Recognised:
			known = fmt.Sprintf("recognised as %q", e.KnownAs)
		case actorsChecked:
			known = "UNRECOGNISED (not in --trust-actors)"
		}
		fmt.Fprintf(w, "       key %s, %s\n", e.Actor.Fingerprint, known)
		if ts := e.Timestamp; ts != nil {
			fmt.Fprintf(w, "       timestamp %s by %s, %s\n", ts.Time.UTC().Format("2006-01-02 15:04:05 UTC"), ts.TSA, trustWord(ts.Trusted))
		}
		for line := range strings.SplitSeq(e.Note, "\n") {
			if line != "" {
				fmt.Fprintf(w, "       %s\n", line)
			}
		}
	}
}
