package verifycli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/verify"
)

// largeDER is one DER SEQUENCE of size bytes in all, as a token is.
func largeDER(size int) []byte {
	content := size - 6 // tag, 0x84 and four length bytes
	return append([]byte{0x30, 0x84, byte(content >> 24), byte(content >> 16), byte(content >> 8), byte(content)}, make([]byte, content)...)
}

// A token larger than the verifier reads is INDETERMINATE
// FORMAT_NOT_IMPLEMENTED (exit 3), a limit of the reader; a large file
// that is not one DER structure is no token (exit 2).
func TestTSRTooLarge(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	token := filepath.Join(dir, "large.tsr")
	other := filepath.Join(dir, "large.bin")
	for path, content := range map[string][]byte{
		data:  []byte("x"),
		token: largeDER(verify.MaxTokenSize + 1),
		other: make([]byte, verify.MaxTokenSize+1),
	} {
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out, errOut bytes.Buffer
	if code := Run([]string{"tsr", "--json", "--data", data, token}, &out, &errOut); code != 3 || !strings.Contains(out.String(), `"FORMAT_NOT_IMPLEMENTED"`) {
		t.Errorf("large token: exit %d, want 3 with FORMAT_NOT_IMPLEMENTED\n%s%s", code, out.String(), errOut.String())
	}
	out.Reset()
	errOut.Reset()
	if code := Run([]string{"tsr", "--data", data, other}, &out, &errOut); code != 2 {
		t.Errorf("large file that is no DER structure: exit %d, want 2\n%s%s", code, out.String(), errOut.String())
	}
}
