package lang

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestEveryTermPresent: a language that lacked a label would print an
// empty one; English alone needs no note nor verdict gloss.
func TestEveryTermPresent(t *testing.T) {
	for _, terms := range all {
		v := reflect.ValueOf(terms.Label)
		for i := range v.NumField() {
			name := v.Type().Field(i).Name
			if v.Field(i).String() == "" && !(terms.Code == "en" && name == "Note") {
				t.Errorf("%s: label %s is empty", terms.Code, name)
			}
		}
		for k := range English.SelectionWords.Keys {
			if terms.SelectionWords.Keys[k] == "" {
				t.Errorf("%s: no word for the criterion %q", terms.Code, k)
			}
		}
		r := reflect.ValueOf(terms.Record)
		for i := range r.NumField() {
			if r.Field(i).String() == "" {
				t.Errorf("%s: record label %s is empty", terms.Code, r.Type().Field(i).Name)
			}
		}
		if terms.Code != "en" && len(terms.Verdict) != 3 {
			t.Errorf("%s: verdict glosses %v", terms.Code, terms.Verdict)
		}
	}
}

func TestSpanishSelection(t *testing.T) {
	es, err := Lookup("es")
	if err != nil {
		t.Fatal(err)
	}
	want := "4 de 15 mensajes, elegidos por el profesional sanitario: mensajes m6, m9–m11; etiqueta neumonía"
	if got := es.DescribeSelection(4, 15, []string{"messages=m6,m9-m11", "label=neumonía"}); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := es.DescribeSelection(7, 7, nil); got != "los 7 mensajes" {
		t.Errorf("all: %s", got)
	}
	if _, err := Lookup("fr"); err == nil || !strings.Contains(err.Error(), "en, es") {
		t.Errorf("fr: %v", err)
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		texts []string
		want  string
	}{
		{[]string{"Buenos días, le envío la analítica", "Gracias, la reviso y le digo"}, "es"},
		{[]string{"Good morning, here are the results", "Thanks, I will look at them"}, "en"},
		{[]string{"👍", "ok"}, "en"},
		{nil, "en"},
	} {
		if got := Detect(tc.texts); got != tc.want {
			t.Errorf("%q: %s, want %s", tc.texts, got, tc.want)
		}
	}
}

func TestDatesInTheReadersFormat(t *testing.T) {
	madrid := time.FixedZone("", 3600)
	at := time.Date(2026, 12, 3, 14, 5, 3, 0, madrid)
	for _, c := range []struct {
		t                Terms
		day, moment, utc string
	}{
		{English, "3 December 2026", "3 Dec 2026 14:05:03 +01:00", "3 Dec 2026 13:05:03 UTC"},
		{Spanish, "3 de diciembre de 2026", "03/12/2026 14:05:03 +01:00", "03/12/2026 13:05:03 UTC"},
	} {
		d := c.t.Dates
		if got := d.Day(at); got != c.day {
			t.Errorf("%s: day %q, want %q", c.t.Code, got, c.day)
		}
		if got := d.Moment(at); got != c.moment {
			t.Errorf("%s: moment %q, want %q", c.t.Code, got, c.moment)
		}
		if got := d.UTC(at); got != c.utc {
			t.Errorf("%s: UTC %q, want %q", c.t.Code, got, c.utc)
		}
	}
}
