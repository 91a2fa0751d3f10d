package verifycli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/custody-toolkit/custody/internal/lang"
	"github.com/custody-toolkit/custody/verify"
)

// runConsistency verifies both bundles and proves that newer extends
// older (custody-verify --consistent-with older.custody newer.custody).
func runConsistency(cmd *cobra.Command, older, newer string, opts, olderOpts verify.Options, asJSON bool, terms lang.Terms) error {
	rep, err := verify.Consistent(older, newer, opts, olderOpts)
	if err != nil {
		return unreadable(err)
	}
	return finish(cmd, rep.Result, rep, asJSON, func(w io.Writer) {
		c := rep.Consistency
		fmt.Fprintf(w, "%s  %s extends %s: consistency %s\n", rep.Result, safe(rep.File), safe(c.Older.File), c.Status)
		fmt.Fprintf(w, "  %s\n", safe(c.Detail))
		fmt.Fprintf(w, "\n== older bundle\n")
		printBundleReport(w, c.Older, terms)
		fmt.Fprintf(w, "\n== newer bundle\n")
		printBundleReport(w, rep, terms)
	})
}
