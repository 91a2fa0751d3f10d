package verify_test

// docs/security.md's mutation table is this suite's output: TestMutations
// checks that the table lists exactly the suite's classes, and rewrites
// it from a full run when asked:
//
//	go generate ./verify    (go test -run '^TestMutations$' -update-security .)

//go:generate go test -run ^TestMutations$ -update-security -timeout 60m .

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var updateSecurity = flag.Bool("update-security", false, "rewrite docs/security.md's mutation table from this run (not with -short)")

// The table lies between these two lines of docs/security.md.
const (
	tableBegin = "<!-- mutation table: written by TestMutations -update-security; do not edit -->"
	tableEnd   = "<!-- end of the mutation table -->"
)

var securityDoc = filepath.Join("..", "docs", "security.md")

// checkSecurityTable fails when docs/security.md's table names other
// classes than the suite ran (a class added, renamed or removed without
// the figures), or rewrites the table with -update-security.
func (s *mutationSuite) checkSecurityTable(t *testing.T, took time.Duration) {
	doc, err := os.ReadFile(securityDoc)
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	begin, end := strings.Index(text, tableBegin), strings.Index(text, tableEnd)
	if begin < 0 || end < begin {
		t.Fatalf("%s: no mutation table between %q and %q", securityDoc, tableBegin, tableEnd)
	}
	if *updateSecurity {
		if testing.Short() {
			t.Fatal("-update-security needs the full run, not -short")
		}
		text = text[:begin+len(tableBegin)] + "\n" + s.markdownTable(took) + text[end:]
		if err := os.WriteFile(securityDoc, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	var documented []string
	for _, line := range strings.Split(text[begin:end], "\n") {
		cells := strings.Split(line, "|")
		if len(cells) > 2 && !strings.HasPrefix(cells[1], "---") && strings.TrimSpace(cells[1]) != "mutation class" && !strings.HasPrefix(strings.TrimSpace(cells[1]), "**") {
			documented = append(documented, strings.TrimSpace(cells[1]))
		}
	}
	var ran []string
	for _, c := range s.reg.classes {
		ran = append(ran, c.name)
	}
	// Classes made inside parallel subtests register in any order.
	slices.Sort(documented)
	slices.Sort(ran)
	if !slices.Equal(documented, ran) {
		t.Errorf("%s's mutation table lists other classes than the suite ran; run go generate ./verify\n documented: %q\n ran:        %q", securityDoc, documented, ran)
	}
}

// markdownTable is the suite's table as docs/security.md shows it.
func (s *mutationSuite) markdownTable(took time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s, one full run (%s on the machine of the time):\n\n", time.Now().UTC().Format("2006-01-02"), took.Round(time.Second))
	b.WriteString("| mutation class | tried | FAILED | exit 2 | INDET. | PASSED |\n|---|---:|---:|---:|---:|---:|\n")
	for _, c := range s.reg.classes {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d |\n", c.name, c.tried, c.failed, c.unreadable, c.indeterminate, c.passed)
	}
	total := s.total()
	fmt.Fprintf(&b, "| **total** | **%d** | **%d** | **%d** | **%d** | **%d** |\n", total.tried, total.failed, total.unreadable, total.indeterminate, total.passed)
	return b.String()
}
