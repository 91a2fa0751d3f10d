package webverify

import (
	"os"
	"testing"
)

func TestScratchCompare(t *testing.T) {
	f, err := os.Open("/tmp/webfast-bench/o.custody")
	if err != nil {
		t.Skip()
	}
	st, _ := f.Stat()
	for i := 0; i < 3; i++ {
		c, err := CompareRecord(f, st.Size(), nil)
		t.Log(err, c)
	}
}
