package pdfpack

import (
	"bytes"
	"compress/zlib"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/pdf/internal/gopdf"
	"golang.org/x/image/font/gofont/goregular"
)

// uncompressed makes a small PDF with gopdf, compression off, as the
// renderer does.
func uncompressed(t testing.TB, pages int) []byte {
	t.Helper()
	pdf := gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
	pdf.SetNoCompression()
	if err := pdf.AddTTFFontData("go", goregular.TTF); err != nil {
		t.Fatal(err)
	}
	if err := pdf.SetFont("go", "", 12); err != nil {
		t.Fatal(err)
	}
	for i := range pages {
		pdf.AddPage()
		for j := range 40 {
			pdf.SetXY(50, 50+float64(j)*18)
			pdf.Text(strings.Repeat("Página ", 5) + string(rune('A'+i)))
		}
	}
	var b bytes.Buffer
	if _, err := pdf.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func deflate(t testing.TB, in []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := Deflate(&out, bytes.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestDeflateIsSmallerAndValid(t *testing.T) {
	in := uncompressed(t, 3)
	out := deflate(t, in)
	if len(out) >= len(in)/2 {
		t.Errorf("output %d bytes, input %d: pages not compressed", len(out), len(in))
	}
	if bytes.Count(out, []byte("/Filter /FlateDecode")) <= bytes.Count(in, []byte("/Filter /FlateDecode")) {
		t.Error("no stream gained a filter")
	}
	qpdf, err := exec.LookPath("qpdf")
	if err != nil {
		t.Skip("qpdf not installed")
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf")
	os.WriteFile(a, in, 0o644)
	os.WriteFile(b, out, 0o644)
	if msg, err := exec.Command(qpdf, "--check", b).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, msg)
	}
	// The same page content once qpdf decompresses both files.
	text := func(p string) []byte {
		got, err := exec.Command(qpdf, "--qdf", "--static-id", "--object-streams=disable", "--stream-data=uncompress", p, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if !bytes.Equal(text(a), text(b)) {
		t.Error("decompressed content differs from the original")
	}
}

func TestStreamRoundTrip(t *testing.T) {
	in := "%PDF-1.7\n1 0 obj\n<<\n/Length 11\n>>\nstream\nhello world\nendstream\nendobj\n" +
		"xref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<<\n/Size 2\n>>\nstartxref\n60\n%%EOF\n"
	out := deflate(t, []byte(in))
	i := bytes.Index(out, []byte("stream\n"))
	j := bytes.Index(out, []byte("\nendstream"))
	zr, err := zlib.NewReader(bytes.NewReader(out[i+7 : j]))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(zr)
	if string(got) != "hello world" {
		t.Errorf("stream decompresses to %q", got)
	}
	if !bytes.Contains(out, []byte("0 2\n0000000000 65535 f \n0000000009 00000 n \n")) {
		t.Errorf("xref not rebuilt:\n%s", out)
	}
}

func TestBadInput(t *testing.T) {
	full := string(uncompressed(t, 1))
	for name, in := range map[string]string{
		"empty":          "",
		"truncated":      full[:len(full)/2],
		"no length":      "1 0 obj\n<<>>\nstream\nabc\nendstream\nendobj\nxref\ntrailer\nstartxref\n",
		"short stream":   "1 0 obj\n<</Length 99>>\nstream\nabc\n",
		"missing object": "2 0 obj\n<<>>\nendobj\nxref\ntrailer\n<<>>\nstartxref\n0\n%%EOF\n",
		"huge number":    "99999999 0 obj\n",
	} {
		if err := Deflate(io.Discard, strings.NewReader(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func FuzzDeflate(f *testing.F) {
	f.Add(uncompressed(f, 1))
	f.Add([]byte("%PDF-1.7\n1 0 obj\n<<\n/Length 3\n>>\nstream\nabc\nendstream\nendobj\nxref\ntrailer\n<<>>\nstartxref\n0\n%%EOF\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		if err := Deflate(&out, bytes.NewReader(in)); err != nil {
			return
		}
		if !bytes.HasSuffix(out.Bytes(), []byte("%%EOF\n")) {
			t.Fatalf("accepted input gave output without %%%%EOF")
		}
	})
}

// withStub is a PDF as gopdf writes it, whose object 2 is an image stub.
const withStub = "%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n\n2 0 obj\n<<\n\t/Filter /DCTDecode\n\t/Length 4\n>>\nstream\nSTUB\nendstream\nendobj\n\n" +
	"xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000045 00000 n \ntrailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n999\n%%EOF\n"

func TestPackSubstitutes(t *testing.T) {
	real := "the real image data"
	write := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	var out bytes.Buffer
	err := Pack(&out, strings.NewReader(withStub), map[int]Substitute{2: {Stub: []byte("STUB"), Length: int64(len(real)), Write: write(real)}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "/Length 19\n>>\nstream\n"+real+"\nendstream\n") {
		t.Errorf("not substituted:\n%s", out.String())
	}
	for name, tt := range map[string]struct {
		subs map[int]Substitute
		want string
	}{
		"another stub":       {map[int]Substitute{2: {Stub: []byte("STUX"), Length: 4, Write: write("data")}}, "not the one expected"},
		"another object":     {map[int]Substitute{1: {Stub: []byte("STUB"), Length: 4, Write: write("data")}}, "not found"},
		"missing object":     {map[int]Substitute{2: {Stub: []byte("STUB"), Length: 4, Write: write("data")}, 7: {Stub: []byte("STUB"), Length: 4, Write: write("data")}}, "not found"},
		"shorter data":       {map[int]Substitute{2: {Stub: []byte("STUB"), Length: 5, Write: write("data")}}, "4 bytes, 5 announced"},
		"failing data":       {map[int]Substitute{2: {Stub: []byte("STUB"), Length: 4, Write: func(io.Writer) error { return io.ErrUnexpectedEOF }}}, "unexpected EOF"},
		"stub of other size": {map[int]Substitute{2: {Stub: []byte("STUBS"), Length: 4, Write: write("data")}}, "another length"},
	} {
		err := Pack(io.Discard, strings.NewReader(withStub), tt.subs)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error with %q", name, err, tt.want)
		}
	}
}
