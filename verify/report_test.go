package verify

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/internal/verdict"
)

func TestParseCheckName(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]CheckID{
		"container":                   {ID: "container"},
		"container order":             {ID: "container.order"},
		"timestamp trust":             {ID: "timestamp.trust"},
		"timestamp 2 token.imprint":   {ID: CheckTokenImprint, Subject: "timestamp", Index: 2},
		"timestamp 1":                 {ID: CheckTokenFormat, Subject: "timestamp", Index: 1},
		"timestamp 3 clock":           {ID: "timestamp.clock", Subject: "timestamp", Index: 3},
		"custody 12":                  {ID: "custody.event", Subject: "custody", Index: 12},
		"custody 2 time":              {ID: "custody.time", Subject: "custody", Index: 2},
		"custody log":                 {ID: "custody.log"},
		"pdf.timestamp token.chain":   {ID: CheckTokenChain, Subject: CheckPDFTimestamp},
		"pdf.rendering":               {ID: CheckPDFRendering},
		"older bundle":                {ID: "consistency.older"},
		"timestamp 0 token.imprint":   {ID: "timestamp.0.token.imprint"}, // not an index
		"custody 1 actor":             {ID: "custody.actor", Subject: "custody", Index: 1},
		"timestamp 2 token.signature": {ID: CheckTokenSignature, Subject: "timestamp", Index: 2},
	} {
		if got := ParseCheckName(name); got != want {
			t.Errorf("ParseCheckName(%q) = %+v, want %+v", name, got, want)
		}
	}
}

// Every kind of check the verifier reports has its reasons in the table,
// and only FAILED and INDETERMINATE checks have one.
func TestSubIndication(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		check Check
		want  SubIndication
	}{
		{Check{Name: "files", Status: Failed}, HashFailure},
		{Check{Name: "files", Status: Passed}, ""},
		{Check{Name: "signer", Status: Info}, ""},
		{Check{Name: "signer", Status: Failed}, UnexpectedSigner},
		{verdict.TokenCheckID(2, CheckTokenChain).Check(Indeterminate, ""), NoCertificateChainFound},
		{verdict.TokenCheckID(2, CheckTokenSignature).Check(Indeterminate, ""), CryptoConstraintsFailure},
		{Check{Name: "timestamp 2 token.signature", Status: Indeterminate, Sub: TryLater, Identity: verdict.TokenCheckID(2, CheckTokenSignature)}, TryLater},
		{Check{Name: "rendering", Status: Indeterminate}, RendererUnavailable},
		{Check{Name: "something new", Status: Failed}, FormatFailure},
	} {
		if got := tc.check.SubIndication(); got != tc.want {
			t.Errorf("%s %s: sub-indication %q, want %q", tc.check.Status, tc.check.Name, got, tc.want)
		}
	}
}

func TestReportJSON(t *testing.T) {
	t.Parallel()
	rep := &Report{Result: Failed, Checks: []Check{verdict.TokenCheckID(2, CheckTokenImprint).Check(Failed, "d")}}
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, want := range []string{`{"report_version":"2","result":"FAILED"`,
		`{"name":"timestamp 2 token.imprint","id":"token.imprint","subject":"timestamp","index":2,"status":"FAILED","sub_indication":"HASH_FAILURE","detail":"d"}`} {
		if !strings.Contains(s, want) {
			t.Errorf("JSON report %s\nlacks %s", s, want)
		}
	}
	var back Report
	if err := json.Unmarshal(data, &back); err != nil || back.Checks[0].Sub != HashFailure || back.Checks[0].Name != rep.Checks[0].Name {
		t.Errorf("read back: %+v, %v", back.Checks, err)
	}
}
