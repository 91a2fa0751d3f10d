package conversation_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/conversation"
)

func TestTmpTiming(t *testing.T) {
	dir := os.Getenv("TMPCORPUS")
	if dir == "" {
		t.Skip()
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		lines := strings.SplitN(string(raw), "\n", 3)
		s := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(lines[1]), "[]byte("), ")")
		data, err := strconv.Unquote(s)
		if err != nil {
			t.Fatal(f, err)
		}
		start := time.Now()
		conversation.Parse([]byte(data))
		if d := time.Since(start); d > 5*time.Millisecond {
			t.Logf("%s: %v", f, d)
		}
	}
}
