package pdfread

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenResaved reads what qpdf writes when it re-saves a PDF: a
// cross-reference stream with the PNG Up predictor, objects inside object
// streams, streams compressed with /FlateDecode. Open refuses it.
func TestOpenResaved(t *testing.T) {
	if _, err := exec.LookPath("qpdf"); err != nil {
		t.Skip("qpdf not installed")
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf")
	src := build("<< /Type /Catalog /Pages 3 0 R /S 2 0 R >>", "<< /Length 11 >>\nstream\nhello hello\nendstream",
		"<< /Type /Pages /Kids [] /Count 0 >>")
	if err := os.WriteFile(in, src, 0o600); err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command("qpdf", "--object-streams=generate", "--compress-streams=y", in, out).CombinedOutput(); err != nil {
		t.Fatalf("qpdf: %v %s", err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(bytes.NewReader(data), int64(len(data))); err == nil {
		t.Error("Open accepts cross-reference streams")
	}
	f, err := OpenResaved(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	rd, err := f.Decode(catalogStream(t, f, "S"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(rd); err != nil || string(got) != "hello hello" {
		t.Errorf("decoded %q, %v", got, err)
	}
}

func TestIndirectLength(t *testing.T) {
	data := build("<< /Type /Catalog >>", "<< /Length 3 0 R >>\nstream\nhello\nendstream", "5",
		"<< /Length 4 0 R >>\nstream\nhello\nendstream")
	f, err := OpenResaved(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if o, err := f.Get(Ref{2, 0}); err != nil || o.(*Stream).Length != 5 {
		t.Errorf("indirect length: %v, %v", o, err)
	}
	if _, err := f.Get(Ref{4, 0}); err == nil || !strings.Contains(err.Error(), "not a direct integer") {
		t.Errorf("a length that is its own stream: %v", err)
	}
}

// FuzzOpenResaved: whatever the bytes, reading them as a re-saved PDF
// returns an error or objects, bounded, never a panic or a loop.
func FuzzOpenResaved(f *testing.F) {
	f.Add(build("<< /Type /Catalog /S 2 0 R >>", "<< /Length 5 >>\nstream\nhello\nendstream"))
	if _, err := exec.LookPath("qpdf"); err == nil {
		dir := f.TempDir()
		in, out := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf")
		os.WriteFile(in, build("<< /Type /Catalog /Pages 3 0 R /S 2 0 R >>", "<< /Length 11 >>\nstream\nhello hello\nendstream",
			"<< /Type /Pages /Kids [] /Count 0 >>"), 0o600)
		if exec.Command("qpdf", "--object-streams=generate", in, out).Run() == nil {
			data, _ := os.ReadFile(out)
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pf, err := OpenResaved(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		for num := range 8 {
			o, err := pf.Get(Ref{Num: num})
			if s, ok := o.(*Stream); err == nil && ok {
				if rd, err := pf.Decode(s); err == nil {
					io.Copy(io.Discard, io.LimitReader(rd, 1<<20))
				}
			}
		}
	})
}
