package record_test

import (
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
)

// TestDatesInTheReadersFormat reads the record as a person would: with
// custody-pdf/5 a Spanish record words its period in Spanish and shows
// message times as dd/mm/yyyy, an English one names the month; both keep
// each time's offset. custody-pdf/4 keeps the ISO form.
func TestDatesInTheReadersFormat(t *testing.T) {
	fx := testbundle.New(t, "ed25519")
	chat := testbundle.Synthetic(t, 3, func(c *conversation.Conversation) {
		c.TimeZone = "Europe/Madrid"
		c.Messages[0].Time = "2026-12-03T14:05:03+01:00"
		c.Messages[1].Time = "2026-12-04T09:00:00+01:00"
		c.Messages[2].Time = "2026-12-04T09:30:00+01:00"
	})
	for _, tc := range []struct {
		renderer, lang string
		want           []string
	}{
		{"", "es", []string{"del 3 de diciembre de 2026 al 4 de diciembre de 2026", "03/12/2026 14:05:03 +01:00", "Europe/Madrid"}},
		{"", "en", []string{"3 December 2026 to 4 December 2026", "3 Dec 2026 14:05:03 +01:00"}},
		{"custody-pdf/4", "es", []string{"del 2026-12-03 al 2026-12-04", "2026-12-03 14:05:03 +01:00"}},
	} {
		path := fx.ExportOptions(t, chat, custody.Options{Renderer: tc.renderer, Lang: tc.lang})
		text := strings.Join(strings.Fields(recordText(t, path)), " ")
		for _, w := range tc.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s %s: the record lacks %q", tc.renderer, tc.lang, w)
			}
		}
	}
}
