package lang

import (
	"fmt"
	"time"
)

// DateWords write dates and times as a reader of the language expects
// them, always with the zone: a day in words ("3 December 2026", "3 de
// diciembre de 2026"), and a moment in the short form of the language ("3
// Dec 2026 14:05:03 +01:00", "03/12/2026 14:05:03 +01:00"). English months
// are named, never numbered, as an English reader may read 03/12 either
// way. The names are written here, not taken from a locale library, since
// a renderer must word a date the same way forever.
type DateWords struct {
	Months, ShortMonths [12]string
	// LongDay words a day: %[1]d the day of the month, %[2]s the month's
	// name, %[3]d the year.
	LongDay string
	// ShortDay is the day in a moment: %[1]d the day, %[2]s the month's
	// short name, %[3]d the year, %[4]d the month's number.
	ShortDay string
}

var englishDates = DateWords{
	Months: [12]string{"January", "February", "March", "April", "May", "June",
		"July", "August", "September", "October", "November", "December"},
	ShortMonths: [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
	LongDay:     "%[1]d %[2]s %[3]d",
	ShortDay:    "%[1]d %[2]s %[3]d",
}

var spanishDates = DateWords{
	Months: [12]string{"enero", "febrero", "marzo", "abril", "mayo", "junio",
		"julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
	ShortMonths: [12]string{"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"},
	LongDay:     "%[1]d de %[2]s de %[3]d",
	ShortDay:    "%02[1]d/%02[4]d/%[3]d",
}

// Day is t's day in words, in t's own zone.
func (d DateWords) Day(t time.Time) string {
	return fmt.Sprintf(d.LongDay, t.Day(), d.Months[t.Month()-1], t.Year())
}

// Moment is t's date and time in t's own zone, and that zone's UTC offset:
// "3 Dec 2026 14:05:03 +01:00".
func (d DateWords) Moment(t time.Time) string {
	return d.short(t) + t.Format(" 15:04:05 -07:00")
}

// UTC is the moment t in UTC, saying so: "3 Dec 2026 13:05:03 UTC".
func (d DateWords) UTC(t time.Time) string {
	t = t.UTC()
	return d.short(t) + t.Format(" 15:04:05 UTC")
}

func (d DateWords) short(t time.Time) string {
	return fmt.Sprintf(d.ShortDay, t.Day(), d.ShortMonths[t.Month()-1], t.Year(), int(t.Month()))
}
