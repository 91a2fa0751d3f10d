package custodylog_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/custodylog"
)

// TestParseExtended: a later version's action or members are named, what
// this version knows is read, and everything else is refused as before.
func TestParseExtended(t *testing.T) {
	e := custodylog.Event{Seq: 2, Time: "2026-11-25T09:00:00Z", Actor: custodylog.Actor{Name: "Dra. Vidal", Role: "expert", Fingerprint: strings.Repeat("a", 64)},
		Action: custodylog.Received, Bundle: strings.Repeat("b", 64), Prev: strings.Repeat("c", 64), PrevSig: strings.Repeat("d", 64)}
	data, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	valid := string(data)
	if _, _, err := custodylog.ParseExtended(data); err == nil {
		t.Error("an event without anything unknown: want Parse's, got no error")
	}
	for _, later := range []struct {
		data    string
		unknown []string
	}{
		{strings.Replace(valid, `Z"}`, `Z","zz":["x"]}`, 1), []string{"member zz"}},
		{strings.Replace(valid, `"actor":{`, `"actor":{"email":"v@example.org",`, 1), []string{"member actor.email"}},
		{strings.Replace(valid, `"action":"received"`, `"action":"destroyed"`, 1), []string{`action "destroyed"`}},
	} {
		got, unknown, err := custodylog.ParseExtended([]byte(later.data))
		if err != nil || !reflect.DeepEqual(unknown, later.unknown) {
			t.Errorf("%s: unknown %q, error %v; want %q", later.data, unknown, err, later.unknown)
			continue
		}
		if got.Prev != e.Prev || got.PrevSig != e.PrevSig || got.Seq != 2 {
			t.Errorf("%s: known members not read: %+v", later.data, got)
		}
	}
	for _, bad := range []struct{ data, want string }{
		{strings.Replace(valid, `Z"}`, `Z","zz":1}`, 1) + " ", "canonical"},
		{strings.Replace(valid, `"action":`, `"zz":1,"action":`, 1), "canonical"},     // not sorted
		{strings.Replace(valid, `"seq":`, `"prev_token":"","seq":`, 1), "prev_token"}, // a known member written empty
		{strings.Replace(valid, `Z"}`, `Z","zz":1}`, 1), ""},                          // valid, the control
		{strings.Replace(strings.Replace(valid, `Z"}`, `Z","zz":1}`, 1), `"prev":"cc`, `"prev":"CC`, 1), "field prev"},
		{strings.Replace(strings.Replace(valid, `"action":"received"`, `"action":"later"`, 1), `,"note":""`, ``, 1), "note"}, // a required member missing
	} {
		_, _, err := custodylog.ParseExtended([]byte(bad.data))
		if bad.want == "" {
			if err != nil {
				t.Errorf("control %s: %v", bad.data, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: error %v, want %q", bad.data, err, bad.want)
		}
	}
}

// TestCountExtended: parts of an existing event that this version does not
// know are returned (and refused by Count, which appending uses); a part
// of no event still breaks the log.
func TestCountExtended(t *testing.T) {
	names := []string{"META-INF/custody/0001.json", "META-INF/custody/0001.sig", "META-INF/custody/0001.pem", "META-INF/custody/0001.later"}
	n, unknown, err := custodylog.CountExtended(names)
	if n != 1 || err != nil || !reflect.DeepEqual(unknown, []string{"META-INF/custody/0001.later"}) {
		t.Errorf("CountExtended: %d %q %v", n, unknown, err)
	}
	if _, err := custodylog.Count(names); err == nil {
		t.Error("Count accepted a part it does not know")
	}
	for _, bad := range []string{"META-INF/custody/0002.later", "META-INF/custody/later", "META-INF/custody/01.later", "META-INF/custody/0001./x"} {
		if _, _, err := custodylog.CountExtended(append(names[:3:3], bad)); err == nil {
			t.Errorf("CountExtended accepted %s", bad)
		}
	}
}

// TestTransparencyOnlyInSealedEvent1: the commitment to the transparency
// log entries is the exporter's, made in its "sealed" event 1.
func TestTransparencyOnlyInSealedEvent1(t *testing.T) {
	e := custodylog.Event{Seq: 1, Time: "2026-11-25T09:00:00Z", Actor: custodylog.Actor{Fingerprint: strings.Repeat("a", 64)},
		Action: custodylog.Sealed, Bundle: strings.Repeat("b", 64), Prev: custodylog.ZeroDigest, Transparency: []string{strings.Repeat("e", 64)}}
	data, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := custodylog.Parse(data); err != nil || !reflect.DeepEqual(got.Transparency, e.Transparency) {
		t.Fatalf("round trip: %v %v", got, err)
	}
	e.Action = custodylog.Received
	if _, err := e.Marshal(); err == nil || !strings.Contains(err.Error(), "field transparency") {
		t.Errorf("in a %q event 1: %v", e.Action, err)
	}
	e.Action, e.Transparency = custodylog.Sealed, []string{"E"}
	if _, err := e.Marshal(); err == nil || !strings.Contains(err.Error(), "transparency[0]") {
		t.Errorf("not a digest: %v", err)
	}
}
