package main

import (
	"runtime/debug"
	"testing"

	"github.com/custody-toolkit/custody/internal/memlimit"
)

// TestExportLowersTheMemoryLimit: custody export and export-batch (whose
// exports share a budget of messages) run under export's own soft limit
// (memlimit.Export), lower than the verifying commands' that main sets,
// unless the user chose one with GOMEMLIMIT.
func TestExportLowersTheMemoryLimit(t *testing.T) {
	prev := debug.SetMemoryLimit(memlimit.Verify)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	for _, command := range []string{"export", "export-batch"} {
		for _, c := range []struct {
			env  string
			want int64
		}{{"", memlimit.Export}, {"72MiB", memlimit.Verify}} {
			t.Setenv("GOMEMLIMIT", c.env)
			debug.SetMemoryLimit(memlimit.Verify)
			if _, _, code := keygenExec(t, "", command); code != 2 { // --in is missing
				t.Fatalf("%s, GOMEMLIMIT=%q: exit %d, want 2", command, c.env, code)
			}
			if got := debug.SetMemoryLimit(-1); got != c.want {
				t.Errorf("%s, GOMEMLIMIT=%q: the limit is %d MiB after it, want %d", command, c.env, got>>20, c.want>>20)
			}
		}
	}
}
