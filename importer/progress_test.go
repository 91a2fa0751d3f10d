package importer

import (
	"path/filepath"
	"testing"
)

// TestImportProgress: an import tells its hook each step, and every
// message as it goes, for the CLI's progress line; so does Open, which
// export --in of an export uses.
func TestImportProgress(t *testing.T) {
	for _, tc := range []struct {
		src      string
		messages int64
	}{
		{"whatsapp/testdata/ios-ar-arabic-indic.txt", 6},
		{"testdata/tg-export", 6},
	} {
		last := map[string][2]int64{}
		opts := Options{TimeZone: "UTC", DefaultRole: "patient", Progress: func(step string, done, total int64) {
			last[step] = [2]int64{done, total}
		}}
		if err := Import(tc.src, filepath.Join(t.TempDir(), "out"), opts); err != nil {
			t.Fatal(err)
		}
		want := map[string][2]int64{"reading": {}, "messages": {tc.messages, tc.messages}, "writing": {}}
		if len(last) != len(want) || last["messages"] != want["messages"] || !hasSteps(last, "reading", "writing") {
			t.Errorf("%s: progress %v, want %v", tc.src, last, want)
		}
		clear(last)
		_, cleanup, err := Open(tc.src, opts)
		if err != nil {
			t.Fatal(err)
		}
		cleanup()
		if last["messages"] != want["messages"] {
			t.Errorf("%s: Open's progress %v", tc.src, last)
		}
	}
}

func hasSteps(m map[string][2]int64, steps ...string) bool {
	for _, s := range steps {
		if _, ok := m[s]; !ok {
			return false
		}
	}
	return true
}
