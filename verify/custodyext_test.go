package verify_test

import (
	"bytes"
	"testing"

	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/verify"
)

// TestLaterVersionLogNeverPassesAltered: the extension rule
// (docs/custody-log.md, Extensions) makes a later version's event or
// entry INDETERMINATE, but gives an attacker no way from FAILED to
// anything better: an edit of the unknown member, a signature removed,
// an event re-numbered still fail. The bundles are conformance vectors.
func TestLaterVersionLogNeverPassesAltered(t *testing.T) {
	const dir = "../testdata/vectors/conformance/custody/"
	status := func(es []testbundle.Entry, check string) (verify.Status, *verify.Report) {
		rep := verifyBytes(t, testbundle.WriteEntries(t, es), verify.Options{})
		for _, c := range rep.Checks {
			if c.Name == check {
				return c.Status, rep
			}
		}
		t.Fatalf("no check %q: %+v", check, rep.Checks)
		return "", nil
	}
	chained := testbundle.ReadEntries(t, dir+"event-later-chained.custody")
	if s, rep := status(chained, "custody 2"); s != verify.Indeterminate || len(rep.Custody) != 3 || rep.Checks[len(rep.Checks)-1].Status == verify.Failed {
		t.Fatalf("a later version's event: %s, %d events: %+v", s, len(rep.Custody), rep.Checks)
	}
	if s, _ := status(chained, "custody 3"); s != verify.Passed {
		t.Errorf("the event after a later version's: %s, want PASSED (it chains through it)", s)
	}
	edited := cloneEntries(chained)
	i := testbundle.Find(edited, "META-INF/custody/0002.json")
	edited[i].Data = bytes.Replace(edited[i].Data, []byte("perito@example.org"), []byte("forger@example.org"), 1)
	if s, _ := status(edited, "custody 2"); s != verify.Failed {
		t.Errorf("the unknown member edited after signing: %s, want FAILED", s)
	}

	part := testbundle.ReadEntries(t, dir+"entry-later-part.custody")
	if s, _ := status(part, "custody log"); s != verify.Indeterminate {
		t.Errorf("a later version's entry: %s, want INDETERMINATE", s)
	}
	if s, _ := status(without(part, "META-INF/custody/0002.sig"), "custody log"); s != verify.Failed {
		t.Errorf("a later version's entry next to a signature removed: %s, want FAILED", s)
	}
}
