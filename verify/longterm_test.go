package verify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/custodylog/logwriter"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/internal/testpki"
	"github.com/custody-toolkit/custody/verify"
)

// chainedTSAs are four TSAs under one root, each certificate valid for
// about two years and each starting before the one before it ends: the
// sealing TSA from the start, the others for three renewals.
type chainedTSAs struct {
	t0   time.Time
	root *testpki.Cert
	tsas []*testpki.Cert
}

func newChainedTSAs(t *testing.T) *chainedTSAs {
	return newChainedTSAsFrom(t, time.Now().UTC().Truncate(time.Second))
}

// newChainedTSAsFrom: day 0 is t0; TSA A's certificate is valid from day
// -1 to 365, B's from 200 to 566, C's from 500 to 866, D's from 800 to
// 1166.
func newChainedTSAsFrom(t *testing.T, t0 time.Time) *chainedTSAs {
	c := &chainedTSAs{t0: t0}
	rootTmpl := testpki.CA("Long-term test root")
	rootTmpl.NotBefore, rootTmpl.NotAfter = t0.AddDate(-1, 0, 0), t0.AddDate(20, 0, 0)
	c.root = testpki.Issue(t, t0, rootTmpl, testpki.P256Key(t), nil)
	for i, start := range []int{-1, 200, 500, 800} {
		tmpl := testpki.TSALeaf(t, "TSA "+string(rune('A'+i)), t0.AddDate(0, 0, start), t0.AddDate(0, 0, start+366))
		c.tsas = append(c.tsas, testpki.Issue(t, t0, tmpl, testpki.P256Key(t), c.root))
	}
	return c
}

// day is t0 plus n days.
func (c *chainedTSAs) day(n int) time.Time { return c.t0.AddDate(0, 0, n) }

// renew appends a renewal made on day n with TSA i.
func (c *chainedTSAs) renew(t *testing.T, f *testbundle.Fixture, path string, i, n int) {
	t.Helper()
	at := c.day(n)
	g := f.WithTSA(t, c.tsas[i].Cert, c.tsas[i].Key, c.root.Cert, func() time.Time { return at })
	_, err := logwriter.Append(context.Background(), path, custodylog.Event{Action: custodylog.Renewed, Note: "archive timestamp"},
		logwriter.Signer{Key: f.Signer, Timestamp: g.Timestamp}, logwriter.AppendOptions{Now: at})
	if err != nil {
		t.Fatal(err)
	}
}

func evidenceCheck(t *testing.T, rep *verify.Report) verify.Check {
	t.Helper()
	for _, c := range rep.Checks {
		if c.Name == verify.CheckEvidence {
			return c
		}
	}
	t.Fatalf("no %s check: %+v", verify.CheckEvidence, rep.Checks)
	return verify.Check{}
}

// TestRenewalsOutliveExpiredTSA: three chained renewals keep the seal's
// time proven after every earlier TSA certificate has expired; without
// them, the same bundle is INDETERMINATE then.
func TestRenewalsOutliveExpiredTSA(t *testing.T) {
	c := newChainedTSAs(t)
	f := testbundle.New(t, "ecdsa-p256").WithTSA(t, c.tsas[0].Cert, c.tsas[0].Key, c.root.Cert, nil)
	plain := f.Export(t, testbundle.Sample(), custody.Selection{})
	renewed := f.Export(t, testbundle.Sample(), custody.Selection{})
	c.renew(t, f, renewed, 1, 300) // TSA A ends on day 365
	c.renew(t, f, renewed, 2, 560) // TSA B ends on day 566
	c.renew(t, f, renewed, 3, 850) // TSA C ends on day 866; TSA D on day 1166
	later := c.day(1000)

	rep, err := verify.BundleFile(renewed, verify.Options{Trust: f.Roots, At: later})
	if err != nil {
		t.Fatal(err)
	}
	ev := evidenceCheck(t, rep)
	t.Log(ev.Detail)
	want := "existed before " + c.t0.Format(time.DateOnly) + ", renewed " + c.day(300).Format(time.DateOnly) + ", " +
		c.day(560).Format(time.DateOnly) + " and " + c.day(850).Format(time.DateOnly)
	if rep.Result != verify.Passed || ev.Status != verify.Passed || !strings.Contains(ev.Detail, want) {
		t.Errorf("renewed, at day 1000: %s, evidence %s %q; want PASSED with %q\n%+v", rep.Result, ev.Status, ev.Detail, want, rep.Checks)
	}

	rep, err = verify.BundleFile(plain, verify.Options{Trust: f.Roots, At: later})
	if err != nil {
		t.Fatal(err)
	}
	if ev := evidenceCheck(t, rep); rep.Result != verify.Indeterminate || ev.Sub != verify.OutOfBoundsNoPOE {
		t.Errorf("not renewed, at day 1000: %s, evidence %s %s %q; want INDETERMINATE OUT_OF_BOUNDS_NO_POE", rep.Result, ev.Status, ev.Sub, ev.Detail)
	}

	// Before TSA A's certificate ends, the plain bundle passes, and the
	// renewals made after --at do not count yet.
	rep, err = verify.BundleFile(renewed, verify.Options{Trust: f.Roots, At: c.day(100)})
	if err != nil {
		t.Fatal(err)
	}
	if ev := evidenceCheck(t, rep); rep.Result != verify.Passed || strings.Contains(ev.Detail, "renewed") {
		t.Errorf("renewed, at day 100: %s, evidence %q; want PASSED without renewals", rep.Result, ev.Detail)
	}

	// Before the seal, nothing was proven yet.
	rep, err = verify.BundleFile(renewed, verify.Options{Trust: f.Roots, At: c.day(-1)})
	if err != nil {
		t.Fatal(err)
	}
	if ev := evidenceCheck(t, rep); rep.Result != verify.Indeterminate || ev.Sub != verify.TryLater {
		t.Errorf("renewed, the day before the seal: %s, evidence %s %q; want INDETERMINATE TRY_LATER", rep.Result, ev.Sub, ev.Detail)
	}
}

// TestRenewalTooLate: a renewal made after the certificate before it
// ended does not prove the seal's time, only its own.
func TestRenewalTooLate(t *testing.T) {
	c := newChainedTSAs(t)
	f := testbundle.New(t, "ed25519").WithTSA(t, c.tsas[0].Cert, c.tsas[0].Key, c.root.Cert, nil)
	path := f.Export(t, testbundle.Sample(), custody.Selection{})
	c.renew(t, f, path, 2, 520) // TSA A ended on day 365
	rep, err := verify.BundleFile(path, verify.Options{Trust: f.Roots, At: c.day(600)})
	if err != nil {
		t.Fatal(err)
	}
	ev := evidenceCheck(t, rep)
	t.Log(ev.Detail)
	if rep.Result != verify.Indeterminate || ev.Sub != verify.OutOfBoundsNoPOE || !strings.Contains(ev.Detail, "still proves the content existed before "+c.day(520).Format(time.DateOnly)) {
		t.Errorf("late renewal: %s, evidence %s %q", rep.Result, ev.Sub, ev.Detail)
	}
}

// TestEvidenceByDefaultIgnoresToday: without --at, the long-term checks
// run as of the bundle's newest proof, so a bundle keeps its verdict
// whatever the day it is verified (a TSA certificate that has expired
// since is reported, not turned into INDETERMINATE); a renewal made too
// late is INDETERMINATE whatever the day, and --at today gives today's
// ETSI verdict.
func TestEvidenceByDefaultIgnoresToday(t *testing.T) {
	c := newChainedTSAsFrom(t, time.Now().UTC().Truncate(time.Second).AddDate(0, 0, -1000))
	f := testbundle.New(t, "ecdsa-p256").WithTSA(t, c.tsas[0].Cert, c.tsas[0].Key, c.root.Cert, func() time.Time { return c.day(0) })
	plain := f.Export(t, testbundle.Sample(), custody.Selection{})
	late := f.Export(t, testbundle.Sample(), custody.Selection{})
	c.renew(t, f, late, 1, 400) // TSA A ended on day 365: too late

	rep, err := verify.BundleFile(plain, verify.Options{Trust: f.Roots})
	if err != nil {
		t.Fatal(err)
	}
	ev := evidenceCheck(t, rep)
	// (The sample's messages postdate this seal, 1000 days ago: the
	// verdict is INDETERMINATE for that, so only the evidence check is
	// read here.)
	if ev.Status != verify.Passed || !strings.Contains(ev.Detail, "as of today") {
		t.Errorf("expired since, by default: evidence %s %q; want PASSED noting the lapse", ev.Status, ev.Detail)
	}
	rep, err = verify.BundleFile(plain, verify.Options{Trust: f.Roots, At: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if ev := evidenceCheck(t, rep); ev.Status != verify.Indeterminate || ev.Sub != verify.OutOfBoundsNoPOE {
		t.Errorf("expired since, --at now: evidence %s %s; want INDETERMINATE OUT_OF_BOUNDS_NO_POE", ev.Status, ev.Sub)
	}
	rep, err = verify.BundleFile(late, verify.Options{Trust: f.Roots})
	if err != nil {
		t.Fatal(err)
	}
	if ev := evidenceCheck(t, rep); ev.Status != verify.Indeterminate || ev.Sub != verify.OutOfBoundsNoPOE {
		t.Errorf("renewed too late, by default: evidence %s %s %q; want INDETERMINATE OUT_OF_BOUNDS_NO_POE", ev.Status, ev.Sub, ev.Detail)
	}
}
