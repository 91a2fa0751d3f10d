// Package warn collects the warnings an importer reports to the examiner
// (times running backwards, calendars converted), bounded in number.
package warn

import "fmt"

// Max bounds a List; further warnings are only counted.
const Max = 100

// List is a bounded list of warnings; the zero value is ready to use.
type List struct {
	items []string
	more  int
	once  map[string]bool
}

// Add records a warning.
func (l *List) Add(format string, args ...any) {
	if len(l.items) < Max {
		l.items = append(l.items, fmt.Sprintf(format, args...))
		return
	}
	l.more++
}

// AddOnce records a warning the first time key is seen.
func (l *List) AddOnce(key, format string, args ...any) {
	if l.once[key] {
		return
	}
	if l.once == nil {
		l.once = map[string]bool{}
	}
	l.once[key] = true
	l.Add(format, args...)
}

// Strings returns the warnings, the last one counting those left out.
func (l *List) Strings() []string {
	if l.more > 0 {
		return append(l.items, fmt.Sprintf("… and %d more warnings", l.more))
	}
	return l.items
}

// Append adds o's warnings after l's, counting those that pass Max.
func (l *List) Append(o *List) {
	for _, s := range o.items {
		l.Add("%s", s)
	}
	l.more += o.more
}
