package verifycli

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/custody-toolkit/custody/internal/atomicfile"
	"github.com/custody-toolkit/custody/internal/buildinfo"
	"github.com/custody-toolkit/custody/internal/regfile"
	"github.com/custody-toolkit/custody/internal/reportpdf"
	"github.com/custody-toolkit/custody/verify"
)

// writeReport writes the verification report PDF (--report) of rep, the
// verification of path with the trust anchors given, and returns its
// SHA-256 (hex), which a recorded "verified" event cites.
func writeReport(out, path string, rep *verify.Report, anchors []*x509.Certificate, recorded bool, args []string) (string, error) {
	in := reportpdf.Input{
		Report:   rep,
		Recorded: recorded,
		File:     path,
		Anchors:  reportpdf.AnchorsOf(anchors),
		Verifier: buildinfo.String("custody-verify"),
		Time:     time.Now().UTC().Truncate(time.Second),
		Command:  "custody-verify " + strings.Join(args, " "),
	}
	var err error
	if in.FileSHA256, in.FileSize, err = fileDigest(path); err != nil {
		return "", unreadable(fmt.Errorf("--report: %w", err))
	}
	in.VerifierSHA256, _ = executableDigest()
	var buf bytes.Buffer
	if err := reportpdf.Write(&buf, in); err != nil {
		return "", unreadable(fmt.Errorf("--report: %w", err))
	}
	if err := atomicfile.WriteFile(out, buf.Bytes(), 0o644, false); err != nil {
		return "", unreadable(fmt.Errorf("--report: %w", err))
	}
	sum := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(sum[:]), nil
}

// fileDigest is the SHA-256 and size of the verified file; none for a
// folder (an extracted bundle), whose files the report's checks cover.
func fileDigest(path string) (string, int64, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return "", 0, nil
	}
	f, _, err := regfile.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	digest, n, err := reportpdf.Digest(f)
	if err != nil {
		return "", 0, fmt.Errorf("%s: %w", path, err)
	}
	return digest, n, nil
}

// executableDigest is the SHA-256 of the running verifier, which the
// report names so that its reader can tell which build made it.
func executableDigest() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	digest, _, err := fileDigest(exe)
	return digest, err
}
