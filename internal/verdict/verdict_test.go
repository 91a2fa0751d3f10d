package verdict

import (
	"encoding/json"
	"testing"
)

// Every kind of check in the table has a reason for FAILED and for
// INDETERMINATE.
func TestUsualSubIndicationsComplete(t *testing.T) {
	for id, subs := range usualSubIndications {
		if subs.failed == "" || subs.indeterminate == "" {
			t.Errorf("check %s: a reason is missing from the table", id)
		}
	}
}

// CheckID.Name composes every name the reports show, and ParseCheckName,
// for readers of names, takes each apart again.
func TestCheckNames(t *testing.T) {
	for name, id := range map[string]CheckID{
		"container":                              {ID: "container"},
		"container order":                        {ID: "container.order"},
		"timestamp trust":                        {ID: "timestamp.trust"},
		"message times":                          {ID: "message.times"},
		"token seal":                             {ID: "token.seal"},
		"custody log":                            {ID: "custody.log"},
		"custody actors":                         {ID: "custody.actors"},
		"older bundle":                           {ID: "consistency.older"},
		"pdf.rendering":                          {ID: CheckPDFRendering},
		"pdf.container":                          {ID: "pdf.container"},
		"token.imprint":                          {ID: CheckTokenImprint},
		"timestamp 2 token.imprint":              TokenCheckID(2, CheckTokenImprint),
		"timestamp 3 clock":                      TokenCheckID(3, "timestamp.clock"),
		"custody 12":                             CustodyCheckID(12, "custody.event"),
		"custody 2 time":                         CustodyCheckID(2, "custody.time"),
		"custody 1 actor":                        CustodyCheckID(1, "custody.actor"),
		"custody 4 timestamp":                    CustodyCheckID(4, "custody.timestamp"),
		"pdf.timestamp token.chain":              {ID: CheckTokenChain, Subject: SubjectPDFTimestamp},
		"pdf.document-timestamp 2":               {ID: CheckPDFDocTimestamp, Subject: SubjectPDFDocTimestamp, Index: 2},
		"pdf.document-timestamp 1 token.imprint": {ID: CheckTokenImprint, Subject: SubjectPDFDocTimestamp, Index: 1},
	} {
		if got := id.Name(); got != name {
			t.Errorf("%+v.Name() = %q, want %q", id, got, name)
		}
		if got := ParseCheckName(name); got != id {
			t.Errorf("ParseCheckName(%q) = %+v, want %+v", name, got, id)
		}
		if c := id.Check(Passed, ""); c.Name != name || c.ID() != id {
			t.Errorf("%+v.Check: name %q, identity %+v", id, c.Name, c.ID())
		}
	}
}

// An unreadable token's check is named "timestamp N" and has its format
// check's identity, as the reports have always shown it; that identity
// is carried, not parsed from the name, so "timestamp N token.format"
// stays a name of its own.
func TestUnreadableToken(t *testing.T) {
	c := UnreadableToken(2, Failed, "d")
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"name":"timestamp 2","id":"token.format","subject":"timestamp","index":2,"status":"FAILED","sub_indication":"FORMAT_FAILURE","detail":"d"}`
	if string(data) != want {
		t.Errorf("JSON %s, want %s", data, want)
	}
	var back Check
	if err := json.Unmarshal(data, &back); err != nil || back.Name != c.Name || back.ID() != c.ID() {
		t.Errorf("read back %+v (%v), want %+v", back, err, c)
	}
	if format := TokenCheckID(2, CheckTokenFormat).Check(Failed, "d"); format.Name != "timestamp 2 token.format" || format.ID() != c.ID() {
		t.Errorf("the format check of a readable token: %+v", format)
	}
}

// TestInfoSubIndication: an INFO check has a sub-indication only when it
// set one (something reported and not used, and why); PASSED never has
// one; FAILED and INDETERMINATE fall back on their kind's usual one.
func TestInfoSubIndication(t *testing.T) {
	for _, tc := range []struct {
		c    Check
		want SubIndication
	}{
		{Check{Name: "pdf.document-timestamp 1", Status: Info, Sub: NoCertificateChainFound}, NoCertificateChainFound},
		{Check{Name: "pdf.document-timestamp 1", Status: Info}, ""},
		{Check{Name: "custody actors", Status: Info}, ""},
		{Check{Name: "pdf.document-timestamp 1", Status: Passed, Sub: NoCertificateChainFound}, ""},
		{Check{Name: "timestamp.trust", Status: Indeterminate}, NoCertificateChainFound},
	} {
		if got := tc.c.SubIndication(); got != tc.want {
			t.Errorf("%s %s (Sub %q): %q, want %q", tc.c.Status, tc.c.Name, tc.c.Sub, got, tc.want)
		}
	}
}
