package custodylog_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/manifest"
)

func TestParseStrict(t *testing.T) {
	e := custodylog.Event{Seq: 2, Time: "2026-11-25T09:00:00Z", Actor: custodylog.Actor{Name: "Dra. Vidal", Role: "expert", Fingerprint: strings.Repeat("a", 64)},
		Action: custodylog.Received, Note: "café <ok> & \"quoted\"", Bundle: strings.Repeat("b", 64), Prev: strings.Repeat("c", 64)}
	data, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"action":"received","actor":{"fingerprint":"` + strings.Repeat("a", 64) + `","name":"Dra. Vidal","role":"expert"},` +
		`"bundle":"` + strings.Repeat("b", 64) + `","note":"café <ok> & \"quoted\"","prev":"` + strings.Repeat("c", 64) + `","seq":2,"time":"2026-11-25T09:00:00Z"}`
	if string(data) != want {
		t.Fatalf("encoding\n%s\nwant (RFC 8785: sorted members, no escaping of < > &)\n%s", data, want)
	}
	if got, err := custodylog.Parse(data); err != nil || !reflect.DeepEqual(*got, e) {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	for _, bad := range []struct{ data, want string }{
		{strings.Replace(want, `"seq":2`, `"seq":2,"extra":1`, 1), "canonical"},
		{strings.Replace(want, `{"action"`, `{ "action"`, 1), "canonical"},
		{strings.Replace(want, `"seq":2,`, `"seq":2,"seq":3,`, 1), ""},
		{strings.Replace(want, `"time":"2026-11-25T09:00:00Z"`, `"time":"2026-11-25T10:00:00+01:00"`, 1), "field time"},
		{strings.Replace(want, `"seq":2`, `"seq":0`, 1), "field seq"},
		{strings.Replace(want, `"prev":"cc`, `"prev":"CC`, 1), "field prev"},
		{strings.Replace(want, `"action":"received"`, `"action":"Received"`, 1), "field action"},
	} {
		if _, err := custodylog.Parse([]byte(bad.data)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: error %v, want %q", bad.data, err, bad.want)
		}
	}
	var unknown custodylog.Event
	if err := manifest.Unmarshal([]byte(`{"colour":"red"}`), &unknown); err == nil {
		t.Error("unknown member accepted")
	}
}

// The commitments to the unsigned parts (tokens, timestamped, prev_sig,
// prev_token) have one encoding each, and only where they mean something.
func TestParseCommitments(t *testing.T) {
	d := func(c string) string { return strings.Repeat(c, 64) }
	sealed := custodylog.Event{Seq: 1, Time: "2026-11-25T09:00:00Z", Actor: custodylog.Actor{Role: "clinician", Fingerprint: d("a")},
		Action: custodylog.Sealed, Bundle: d("b"), Prev: custodylog.ZeroDigest, Tokens: []string{d("1"), d("2")}}
	later := custodylog.Event{Seq: 2, Time: "2026-11-25T09:00:00Z", Actor: custodylog.Actor{Fingerprint: d("a")},
		Action: custodylog.Received, Bundle: d("b"), Prev: d("c"), Timestamped: true, PrevSig: d("d"), PrevToken: d("e")}
	for _, tt := range []struct {
		e    custodylog.Event
		want string
	}{
		{sealed, `"seq":1,"time":"2026-11-25T09:00:00Z","tokens":["` + d("1") + `","` + d("2") + `"]}`},
		{later, `"prev":"` + d("c") + `","prev_sig":"` + d("d") + `","prev_token":"` + d("e") + `","seq":2,"time":"2026-11-25T09:00:00Z","timestamped":true}`},
	} {
		data, err := tt.e.Marshal()
		if err != nil || !strings.HasSuffix(string(data), tt.want) {
			t.Fatalf("encoding %s %v\nwant a suffix %s", data, err, tt.want)
		}
		if got, err := custodylog.Parse(data); err != nil || !reflect.DeepEqual(*got, tt.e) {
			t.Fatalf("round trip: %+v %v", got, err)
		}
	}
	edit := func(e custodylog.Event, f func(*custodylog.Event)) custodylog.Event { f(&e); return e }
	for _, bad := range []struct {
		e    custodylog.Event
		want string
	}{
		{edit(later, func(e *custodylog.Event) { e.Tokens = []string{d("1")} }), "field tokens"},
		{edit(sealed, func(e *custodylog.Event) { e.Action = custodylog.Received }), "field tokens"},
		{edit(sealed, func(e *custodylog.Event) { e.Tokens = []string{"AB"} }), "field tokens[0]"},
		{edit(sealed, func(e *custodylog.Event) { e.PrevSig = d("d") }), "event 1 has no previous event"},
		{edit(later, func(e *custodylog.Event) { e.PrevSig = "" }), "field prev_token"},
		{edit(later, func(e *custodylog.Event) { e.PrevSig = "x" }), "field prev_sig"},
	} {
		if _, err := bad.e.Marshal(); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%+v: error %v, want %q", bad.e, err, bad.want)
		}
	}
	// The empty-value rule (bundle-format.md §2.2): an optional member
	// written empty is another encoding of its absence.
	data, _ := later.Marshal()
	for _, variant := range []string{
		strings.Replace(string(data), `"timestamped":true`, `"timestamped":false`, 1),
		strings.Replace(string(data), `"prev_token":"`+d("e")+`"`, `"prev_token":""`, 1),
		strings.Replace(string(data), `"timestamped":true`, `"timestamped":true,"tokens":[]`, 1),
	} {
		if _, err := custodylog.Parse([]byte(variant)); err == nil {
			t.Errorf("accepted %s", variant)
		}
	}
}

func TestEntryNames(t *testing.T) {
	if got := custodylog.EntryName(12, custodylog.PartToken); got != "META-INF/custody/0012.tsr" {
		t.Fatal(got)
	}
	for _, name := range []string{"META-INF/custody/0000.json", "META-INF/custody/12.json", "META-INF/custody/0001.txt",
		"META-INF/custody/+001.json", "META-INF/custody/0001.json.sig", "META-INF/custody/0001", "META-INF/manifest.sig"} {
		if _, _, err := custodylog.ParseEntryName(name); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if seq, part, err := custodylog.ParseEntryName("META-INF/custody/9999.pem"); err != nil || seq != 9999 || part != "pem" {
		t.Errorf("%d %q %v", seq, part, err)
	}
}

func FuzzParse(f *testing.F) {
	e := custodylog.Event{Seq: 1, Time: "2026-11-25T09:00:00Z", Actor: custodylog.Actor{Fingerprint: strings.Repeat("a", 64)},
		Action: custodylog.Sealed, Bundle: strings.Repeat("b", 64), Prev: custodylog.ZeroDigest}
	data, _ := e.Marshal()
	f.Add(data)
	f.Add([]byte(`{"seq":1}`))
	f.Add([]byte(`{"note":"\u0000"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := custodylog.Parse(data)
		if err != nil {
			return
		}
		// What parses re-encodes to the very same bytes: one document,
		// one encoding.
		again, err := e.Marshal()
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("parsed %q but re-encodes to %q (%v)", data, again, err)
		}
	})
}

func FuzzParseEntryName(f *testing.F) {
	f.Add("META-INF/custody/0001.json")
	f.Add("META-INF/custody/-001.tsr")
	f.Fuzz(func(t *testing.T, name string) {
		seq, part, err := custodylog.ParseEntryName(name)
		if err == nil && custodylog.EntryName(seq, part) != name {
			t.Fatalf("%q parsed as %d %q", name, seq, part)
		}
	})
}
