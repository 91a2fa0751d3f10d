package verify_test

import (
	"testing"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/verify"
)

// TestProgress: a verification tells its hook how far it is, for a
// progress bar, and says the selection in words.
func TestProgress(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	path := fx.Export(t, testbundle.Sample(), custody.Selection{Label: "urgente"})
	var files [2]int64
	rendering := false
	rep, err := verify.BundleFile(path, verify.Options{Trust: fx.Roots, Progress: func(step string, done, total int64) {
		switch step {
		case "files":
			files = [2]int64{done, total}
		case "rendering":
			rendering = true
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Result != verify.Passed {
		t.Fatalf("result %s, checks %+v", rep.Result, rep.Checks)
	}
	if files[0] == 0 || files[0] != files[1] || !rendering {
		t.Errorf("progress: files %v, rendering %v", files, rendering)
	}
	want := "2 of 7 messages, chosen by the clinician: label urgente"
	if rep.Selection == nil || rep.Selection.Description != want || len(rep.Selection.Criteria) != 1 {
		t.Errorf("selection %+v, want %q", rep.Selection, want)
	}
}
