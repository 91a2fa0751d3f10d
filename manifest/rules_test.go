package manifest

import (
	"strings"
	"testing"
)

// TestIntegerRange: the format's numbers are integers in 0…2^53−1; any
// other number is refused wherever it occurs.
func TestIntegerRange(t *testing.T) {
	for _, ok := range []string{`{"a":0}`, `{"a":9007199254740991}`, `{"a":[1,{"b":2}]}`} {
		var v any
		if err := Unmarshal([]byte(ok), &v); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{`{"a":-1}`, `{"a":9007199254740992}`, `{"a":1.5}`, `{"a":[{"b":1e+30}]}`} {
		var v any
		if err := Unmarshal([]byte(bad), &v); err == nil || !strings.Contains(err.Error(), "2^53") {
			t.Errorf("%s: %v, want a refusal naming the range", bad, err)
		}
	}
}

func TestAttachmentAndSourceNames(t *testing.T) {
	for _, c := range []struct {
		name string
		i, j int
		ok   bool
	}{
		{"attachments/000002-01.txt", 1, 0, true},
		{"attachments/000002-01", 1, 0, true},
		{"attachments/000002-03.12345678", 1, 2, true},
		{"attachments/000002-01.TXT", 1, 0, false},
		{"attachments/000002-01.123456789", 1, 0, false},
		{"attachments/000002-02.txt", 1, 0, false},
		{"attachments/000003-01.txt", 1, 0, false},
		{"attachments/000002-01.t_t", 1, 0, false},
		{"attachments/x/000002-01.txt", 1, 0, false},
	} {
		if err := CheckAttachmentName(c.name, c.i, c.j); (err == nil) != c.ok {
			t.Errorf("%s (%d, %d): %v", c.name, c.i, c.j, err)
		}
	}
	if CheckSourceName("sources/01.txt", 0) != nil || CheckSourceName("sources/00.txt", 0) == nil || CheckSourceName("sources/02", 0) == nil {
		t.Error("sources are sources/01, 02, … in order")
	}
}

func TestExportedAtWholeSecondsUTC(t *testing.T) {
	for at, ok := range map[string]bool{
		"2026-12-01T10:00:00Z": true, "2026-12-01T10:00:00.5Z": false, "2026-12-01T10:00:00+00:00": false, "2026-12-01T11:00:00+01:00": false,
	} {
		m := &Manifest{Format: FormatV1, ExportedAt: at}
		err := m.Check()
		if got := err == nil || !strings.Contains(err.Error(), "exported_at"); got != ok {
			t.Errorf("%s: %v", at, err)
		}
	}
}
