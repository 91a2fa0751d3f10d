package verify

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/custody-toolkit/custody/internal/testpki"

	"github.com/digitorus/pkcs7"
	"github.com/digitorus/timestamp"
)

// tsaCorpus returns the directory of real RFC 3161 tokens, or skips.
func tsaCorpus(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found")
		}
		dir = parent
	}
	c := filepath.Join(dir, "..", "shared", "corpus", "tsa")
	if _, err := os.Stat(filepath.Join(c, "SOURCES.tsv")); err != nil {
		if _, err := os.Stat(filepath.Join(c, "..", "SOURCES.tsv")); err != nil {
			t.Skip("real TSA corpus absent:", c)
		}
	}
	return c
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readCerts(t testing.TB, path string) []*x509.Certificate {
	t.Helper()
	certs, err := ParseCertificates(readFile(t, path))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return certs
}

// embeddedCerts returns the certificates of a token as digitorus/pkcs7
// (not this package) reads them.
func embeddedCerts(t testing.TB, der []byte) []*x509.Certificate {
	t.Helper()
	tok, err := ParseToken(der)
	if err != nil {
		t.Fatal(err)
	}
	p7, err := pkcs7.Parse(tok)
	if err != nil {
		t.Fatal(err)
	}
	return p7.Certificates
}

func certBySubject(t testing.TB, certs []*x509.Certificate, cn string) *x509.Certificate {
	t.Helper()
	for _, c := range certs {
		if strings.Contains(c.Subject.CommonName, cn) {
			return c
		}
	}
	t.Fatalf("no certificate with CN containing %q", cn)
	return nil
}

// sourceTimes reads the genTime SOURCES.tsv states for each tsa file.
func sourceTimes(t testing.TB, corpus string) map[string]time.Time {
	f, err := os.Open(filepath.Join(corpus, "..", "SOURCES.tsv"))
	if err != nil {
		return nil
	}
	defer f.Close()
	re := regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)
	m := map[string]time.Time{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 7 || cols[0] != "tsa" {
			continue
		}
		if s := re.FindString(cols[6]); s != "" {
			tm, err := time.Parse(time.RFC3339, s)
			if err == nil {
				m[cols[1]] = tm
			}
		}
	}
	return m
}

// opensslGenTime asks openssl for the genTime of a token or response.
func opensslGenTime(t testing.TB, path string) (time.Time, bool) {
	if _, err := exec.LookPath("openssl"); err != nil {
		return time.Time{}, false
	}
	args := []string{"ts", "-reply", "-in", path, "-text"}
	if strings.HasSuffix(path, ".p7s") {
		args = append(args, "-token_in")
	}
	out, err := exec.Command("openssl", args...).Output()
	if err != nil {
		return time.Time{}, false
	}
	m := regexp.MustCompile(`Time stamp: (.*) GMT`).FindSubmatch(out)
	if m == nil {
		return time.Time{}, false
	}
	s := regexp.MustCompile(`\.\d+`).ReplaceAllString(string(m[1]), "")
	tm, err := time.Parse("Jan _2 15:04:05 2006", s)
	return tm, err == nil
}

// opensslVerify runs `openssl ts -verify` on a token with the same
// anchors and certificates as opts, at genTime.
func opensslVerify(t *testing.T, token, data string, opts TokenOptions, genTime time.Time) ([]byte, error) {
	t.Helper()
	dir := t.TempDir()
	writePEM := func(name string, certs []*x509.Certificate) string {
		var b bytes.Buffer
		for _, c := range certs {
			pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	args := []string{"ts", "-verify", "-data", data, "-in", token, "-CAfile", writePEM("roots.pem", opts.Roots),
		"-partial_chain", "-attime", strconv.FormatInt(genTime.Unix(), 10)}
	if len(opts.Certs) > 0 {
		args = append(args, "-untrusted", writePEM("certs.pem", opts.Certs))
	}
	if strings.HasSuffix(token, ".p7s") {
		args = append(args, "-token_in")
	}
	return exec.Command("openssl", args...).CombinedOutput()
}

type corpusCase struct {
	name   string
	token  string
	data   string
	opts   func(t testing.TB, c string) TokenOptions
	want   Status
	failed string // the check expected to carry the FAILED/INDETERMINATE
}

func TestVerifyTokenCorpus(t *testing.T) {
	t.Parallel()
	corpus := tsaCorpus(t)
	path := func(n string) string { return filepath.Join(corpus, n) }
	sigstage := func(t testing.TB, c string) TokenOptions {
		chain := readCerts(t, path("sigstage-ts_chain.pem"))
		return TokenOptions{Roots: chain[len(chain)-1:]}
	}
	sigstageCerts := func(t testing.TB, c string) TokenOptions {
		chain := readCerts(t, path("sigstage-ts_chain.pem"))
		return TokenOptions{Roots: chain[len(chain)-1:], Certs: chain[:len(chain)-1]}
	}
	identrust := func(t testing.TB, c string) TokenOptions {
		return TokenOptions{Roots: readCerts(t, path("identrust-root.der"))}
	}
	globalsign := func(t testing.TB, c string) TokenOptions {
		return TokenOptions{Roots: readCerts(t, path("globalsign-root-r3.crt"))}
	}
	none := func(t testing.TB, c string) TokenOptions { return TokenOptions{} }
	// FreeTSA embeds its own root: trust it, taken out by digitorus/pkcs7.
	freetsa := func(t testing.TB, c string) TokenOptions {
		certs := embeddedCerts(t, readFile(t, path("freetsa-test-sha512-2024.p7s")))
		return TokenOptions{Roots: []*x509.Certificate{certBySubject(t, certs, "www.freetsa.org")}}
	}
	freetsaRoot := func(t testing.TB, c string) TokenOptions {
		for _, c := range embeddedCerts(t, readFile(t, path("freetsa-test-sha512-2024.p7s"))) {
			if c.IsCA {
				return TokenOptions{Roots: []*x509.Certificate{c}}
			}
		}
		t.Fatal("no CA certificate in the FreeTSA token")
		return TokenOptions{}
	}
	// The Adobe root is not in the token: trust the embedded intermediate.
	adobeNonce := func(t testing.TB, c string) TokenOptions {
		certs := embeddedCerts(t, readFile(t, path("digitorus-globalsign-adobe-2017-nonce.tsr")))
		req, err := timestamp.ParseRequest(readFile(t, path("digitorus-globalsign-adobe-2017-nonce.tsq")))
		if err != nil {
			t.Fatal(err)
		}
		return TokenOptions{Roots: []*x509.Certificate{certBySubject(t, certs, "Primary SHA256 CA for Adobe")}, Nonce: req.Nonce}
	}
	adobeWrongNonce := func(t testing.TB, c string) TokenOptions {
		o := adobeNonce(t, c)
		o.Nonce = new(big.Int).Add(o.Nonce, big.NewInt(1))
		return o
	}
	adobeNoCert := func(t testing.TB, c string) TokenOptions {
		certs := embeddedCerts(t, readFile(t, path("digitorus-globalsign-adobe-2017-nonce.tsr")))
		req, err := timestamp.ParseRequest(readFile(t, path("digitorus-globalsign-adobe-2017-nocert.tsq")))
		if err != nil {
			t.Fatal(err)
		}
		return TokenOptions{Roots: []*x509.Certificate{certBySubject(t, certs, "Primary SHA256 CA for Adobe")},
			Certs: []*x509.Certificate{certBySubject(t, certs, "TSA for Adobe")}, Nonce: req.Nonce}
	}
	adobeNoNonce := func(t testing.TB, c string) TokenOptions {
		o := adobeNonce(t, c)
		o.Nonce = big.NewInt(1)
		return o
	}
	intermediateAnchor := func(token, cn string) func(t testing.TB, c string) TokenOptions {
		return func(t testing.TB, c string) TokenOptions {
			certs := embeddedCerts(t, readFile(t, path(token)))
			return TokenOptions{Roots: []*x509.Certificate{certBySubject(t, certs, cn)}}
		}
	}
	cases := []corpusCase{
		{"sigstage sha256", "sigstage-hello-sha256.tsr", "hello.txt", sigstage, Passed, ""},
		{"sigstage sha384", "sigstage-hello-sha384.tsr", "hello.txt", sigstage, Passed, ""},
		{"sigstage sha512", "sigstage-hello-sha512.tsr", "hello.txt", sigstage, Passed, ""},
		{"sigstage wrong data", "sigstage-hello-sha256.tsr", "hello-lf.txt", sigstage, Failed, CheckTokenImprint},
		{"sigstage no roots", "sigstage-hello-sha256.tsr", "hello.txt", none, Indeterminate, CheckTokenChain},
		{"sigstage bad signature", "sigstage-hello-BADSIG.tsr", "hello.txt", sigstage, Failed, CheckTokenSignature},
		{"sigstage no cert chain given", "sigstage-hello-nocert.tsr", "hello.txt", sigstageCerts, Passed, ""},
		{"sigstage no cert", "sigstage-hello-nocert.tsr", "hello.txt", sigstage, Indeterminate, CheckTokenSignature},
		{"identrust leaf not first", "identrust-hello-sha512.tsr", "hello.txt", identrust, Passed, ""},
		{"identrust wrong root", "identrust-hello-sha512.tsr", "hello.txt", globalsign, Indeterminate, CheckTokenChain},
		{"globalsign bare token", "globalsign-g4-notation-2021.p7s", "notation.txt", globalsign, Passed, ""},
		{"globalsign bad signature", "globalsign-g4-notation-BADSIG.p7s", "notation.txt", globalsign, Failed, CheckTokenSignature},
		{"globalsign two signerinfos", "globalsign-g4-two-signerinfos.p7s", "notation.txt", globalsign, Failed, CheckTokenFormat},
		{"globalsign sha1 signature", "globalsign-g4-notation-SHA1SIGALG-modified.p7s", "notation.txt", globalsign, Failed, CheckTokenSignature},
		{"globalsign no certs", "globalsign-g4-notation-nocerts.p7s", "notation.txt", globalsign, Indeterminate, CheckTokenSignature},
		{"freetsa ESSCertID v1 tsr", "freetsa-test-sha512-2024.tsr", "test.txt", freetsaRoot, Passed, ""},
		{"freetsa ESSCertID v1 token", "freetsa-test-sha512-2024.p7s", "test.txt", freetsaRoot, Passed, ""},
		{"freetsa leaf as anchor", "freetsa-test-sha512-2024.p7s", "test.txt", freetsa, Passed, ""},
		{"freetsa wrong data", "freetsa-test-sha512-2024.p7s", "notation.txt", freetsaRoot, Failed, CheckTokenImprint},
		{"adobe nonce", "digitorus-globalsign-adobe-2017-nonce.tsr", "digitorus-data.txt", adobeNonce, Passed, ""},
		{"adobe wrong nonce", "digitorus-globalsign-adobe-2017-nonce.tsr", "digitorus-data.txt", adobeWrongNonce, Failed, CheckTokenNonce},
		{"adobe no nonce", "digitorus-globalsign-adobe-2017-nononce.tsr", "digitorus-data.txt", adobeNoNonce, Failed, CheckTokenNonce},
		{"adobe no nonce asked", "digitorus-globalsign-adobe-2017-nononce.tsr", "digitorus-data.txt", intermediateAnchor("digitorus-globalsign-adobe-2017-nononce.tsr", "Primary SHA256 CA for Adobe"), Passed, ""},
		{"adobe no cert certs given", "digitorus-globalsign-adobe-2017-nocert.tsr", "digitorus-data.txt", adobeNoCert, Passed, ""},
		{"adobe no roots", "digitorus-globalsign-adobe-2017-nonce.tsr", "digitorus-data.txt", none, Indeterminate, CheckTokenChain},
		{"adobe wrong data", "digitorus-globalsign-adobe-2017-nonce.tsr", "hello.txt", adobeNonce, Failed, CheckTokenImprint},
		{"symantec g2 no certs", "symantec-g2-hello-lf-2018.tsr", "hello-lf.txt", globalsign, Indeterminate, CheckTokenSignature},
		{"comodo no certs", "comodo-sectigo-hello-lf-2018.tsr", "hello-lf.txt", globalsign, Indeterminate, CheckTokenSignature},
		// Its SignerInfo digest is SHA-1 (openssl cms -cmsout -print): refused
		// before any certificate is needed.
		{"globalsign standard SHA-1 digest", "globalsign-standard-g2-hello-lf-2018.tsr", "hello-lf.txt", globalsign, Indeterminate, CheckTokenSignature},
		{"symantec g3 intermediate anchor", "symantec-g3-hello-lf-2018-certs.tsr", "hello-lf.txt", intermediateAnchor("symantec-g3-hello-lf-2018-certs.tsr", "Symantec SHA256 TimeStamping CA"), Passed, ""},
		{"digicert intermediate anchor", "digicert-sha2-hello-lf-2018.tsr", "hello-lf.txt", intermediateAnchor("digicert-sha2-hello-lf-2018.tsr", "Assured ID Timestamping CA"), Passed, ""},
		{"digicert no roots", "digicert-sha2-hello-lf-2018.tsr", "hello-lf.txt", none, Indeterminate, CheckTokenChain},
	}
	times := sourceTimes(t, corpus)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts(t, corpus)
			f, err := os.Open(path(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r, err := VerifyToken(readFile(t, path(tc.token)), f, opts)
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, r, tc.want, tc.failed, opts.Nonce != nil)
			if want, ok := times[tc.token]; ok && !r.Timestamp.Time.Equal(want) {
				t.Errorf("genTime %v, SOURCES.tsv says %v", r.Timestamp.Time, want)
			}
			if want, ok := opensslGenTime(t, path(tc.token)); ok && !r.Timestamp.Time.Truncate(time.Second).Equal(want) {
				t.Errorf("genTime %v, openssl says %v", r.Timestamp.Time, want)
			}
			if r.Timestamp.Time.Location() != time.UTC {
				t.Errorf("genTime %v not in UTC", r.Timestamp.Time)
			}
			_, noOpenSSL := exec.LookPath("openssl")
			switch {
			case noOpenSSL != nil:
			case tc.want == Passed:
				if out, err := opensslVerify(t, path(tc.token), path(tc.data), opts, r.Timestamp.Time); err != nil {
					t.Errorf("openssl ts -verify disagrees: %v\n%s", err, out)
				}
			case tc.want == Failed && tc.failed != CheckTokenNonce:
				if out, err := opensslVerify(t, path(tc.token), path(tc.data), opts, r.Timestamp.Time); err == nil {
					t.Errorf("openssl ts -verify accepts it:\n%s", out)
				}
			}
		})
	}
}

// checkResult checks the verdict, the check names and order, and that
// the named check carries the verdict.
func checkResult(t testing.TB, r *TokenResult, want Status, culprit string, nonce bool) {
	t.Helper()
	names := []string{CheckTokenFormat, CheckTokenImprint, CheckTokenSignature, CheckTokenSigningCert, CheckTokenCerts, CheckTokenEKU, CheckTokenChain}
	if nonce {
		names = append(names, CheckTokenNonce)
	}
	var got []string
	for _, c := range r.Checks {
		got = append(got, c.Name)
		if c.Detail == "" {
			t.Errorf("check %s has no detail", c.Name)
		}
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("checks %v, want %v", got, names)
	}
	if r.Status != want || r.Status != Verdict(r.Checks) {
		t.Errorf("status %s, want %s", r.Status, want)
	}
	if r.Timestamp.Trusted != (want == Passed) {
		t.Errorf("Trusted %v with status %s", r.Timestamp.Trusted, r.Status)
	}
	if culprit != "" {
		found := false
		for _, c := range r.Checks {
			found = found || (c.Name == culprit && c.Status == want)
		}
		if !found {
			t.Errorf("check %s is not %s", culprit, want)
		}
	}
	if t.Failed() || testing.Verbose() {
		for _, c := range r.Checks {
			t.Logf("%-26s %-13s %s", c.Name, c.Status, c.Detail)
		}
		t.Logf("timestamp %+v", r.Timestamp)
	}
}

func TestVerifyTokenDigestCorpus(t *testing.T) {
	t.Parallel()
	corpus := tsaCorpus(t)
	der := readFile(t, filepath.Join(corpus, "digitorus-globalsign-adobe-2017-nononce.tsr"))
	digest := readFile(t, filepath.Join(corpus, "digitorus-hashedMessage.bin"))
	certs := embeddedCerts(t, der)
	opts := TokenOptions{Roots: []*x509.Certificate{certBySubject(t, certs, "Primary SHA256 CA for Adobe")}}
	r, err := VerifyTokenDigest(der, cryptoSHA256, digest, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r, Passed, "", false)
	r, err = VerifyTokenDigest(der, cryptoSHA512, bytes.Repeat(digest, 2), opts)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r, Failed, CheckTokenImprint, false)

	// A bare token whose data is unknown: SOURCES.tsv gives its imprint.
	src := readFile(t, filepath.Join(corpus, "..", "SOURCES.tsv"))
	m := regexp.MustCompile(`digitorus-timeStampToken\.p7s\t.*imprint ([0-9a-f]{64})`).FindSubmatch(src)
	if m == nil {
		t.Fatal("imprint of digitorus-timeStampToken.p7s not in SOURCES.tsv")
	}
	imprint, _ := hex.DecodeString(string(m[1]))
	der = readFile(t, filepath.Join(corpus, "digitorus-timeStampToken.p7s"))
	r, err = VerifyTokenDigest(der, crypto.SHA256, imprint, TokenOptions{Roots: readCerts(t, filepath.Join(corpus, "globalsign-root-r3.crt"))})
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r, Passed, "", false)
	if want := sourceTimes(t, corpus)["digitorus-timeStampToken.p7s"]; !r.Timestamp.Time.Equal(want) {
		t.Errorf("genTime %v, SOURCES.tsv says %v", r.Timestamp.Time, want)
	}
}

const (
	cryptoSHA256 = crypto.SHA256
	cryptoSHA512 = crypto.SHA512
)

// newOpenSSLTSA makes a CA and a TSA certificate with keys of newkey
// ("ec" or "rsa:2048"); essAlg is openssl's ess_cert_id_alg: sha1 gives
// ESSCertID v1, others ESSCertIDv2.
func newOpenSSLTSA(t testing.TB, newkey, essAlg string) *testpki.OpenSSLTSA {
	return testpki.NewOpenSSLTSA(t, testpki.TSAConfig{CAKey: newkey, TSAKey: newkey, ESSAlg: essAlg})
}

func TestVerifyTokenOpenSSL(t *testing.T) {
	t.Parallel()
	for _, key := range []string{"ec", "rsa:2048"} {
		for _, ess := range []string{"sha256", "sha1"} {
			o := newOpenSSLTSA(t, key, ess)
			for _, h := range []string{"-sha256", "-sha384", "-sha512"} {
				t.Run(key+"/ess-"+ess+"/"+h[1:], func(t *testing.T) {
					const data = "custody interop\n"
					tsr, nonce := o.Stamp(data, h, "-cert")
					opts := TokenOptions{Roots: []*x509.Certificate{o.CA}, Nonce: nonce}
					r, err := VerifyToken(tsr, strings.NewReader(data), opts)
					if err != nil {
						t.Fatal(err)
					}
					checkResult(t, r, Passed, "", true)
					if want := strings.ToUpper(h[1:4]) + "-" + h[4:]; r.Timestamp.Hash != want {
						t.Errorf("hash %q, want %q", r.Timestamp.Hash, want)
					}
					if r.Timestamp.TSA != "Custody Test TSA" || r.Timestamp.Policy != "1.2.3.4.1" {
						t.Errorf("timestamp %+v", r.Timestamp)
					}
					if d := time.Since(r.Timestamp.Time); d < -time.Minute || d > time.Minute {
						t.Errorf("genTime %v is not now", r.Timestamp.Time)
					}
					r, err = VerifyToken(tsr, strings.NewReader(data+"x"), opts)
					if err != nil {
						t.Fatal(err)
					}
					checkResult(t, r, Failed, CheckTokenImprint, true)
				})
			}
			t.Run(key+"/ess-"+ess+"/sha1-imprint", func(t *testing.T) {
				const data = "SHA-1 imprint"
				tsr, _ := o.Stamp(data, "-sha1", "-cert")
				r, err := VerifyToken(tsr, strings.NewReader(data), TokenOptions{Roots: []*x509.Certificate{o.CA}})
				if err != nil {
					t.Fatal(err)
				}
				// Not a proof of forgery: trust cannot be established.
				checkResult(t, r, Indeterminate, CheckTokenImprint, false)
			})
			t.Run(key+"/ess-"+ess+"/no-cert", func(t *testing.T) {
				const data = "no certificate requested"
				tsr, _ := o.Stamp(data, "-sha256", "-no_nonce")
				r, err := VerifyToken(tsr, strings.NewReader(data), TokenOptions{Roots: []*x509.Certificate{o.CA}})
				if err != nil {
					t.Fatal(err)
				}
				checkResult(t, r, Indeterminate, CheckTokenSignature, false)
				r, err = VerifyToken(tsr, strings.NewReader(data), TokenOptions{Roots: []*x509.Certificate{o.CA}, Certs: []*x509.Certificate{o.TSA}})
				if err != nil {
					t.Fatal(err)
				}
				checkResult(t, r, Passed, "", false)
				// The TSA's own certificate as the anchor (EU trusted lists).
				r, err = VerifyToken(tsr, strings.NewReader(data), TokenOptions{Roots: []*x509.Certificate{o.TSA}})
				if err != nil {
					t.Fatal(err)
				}
				checkResult(t, r, Passed, "", false)
			})
		}
	}
}

// TestVerifyTokenRSAPSS re-signs an openssl-made TSTInfo with RSASSA-PSS
// through `openssl cms -sign` (openssl ts cannot sign with PSS), checks
// that openssl accepts it, then that VerifyToken does.
func TestVerifyTokenRSAPSS(t *testing.T) {
	t.Parallel()
	o := newOpenSSLTSA(t, "rsa:2048", "sha256")
	const data = "pss\n"
	for _, v := range []struct{ md, salt string }{{"sha256", "32"}, {"sha384", "48"}, {"sha512", "20"}} {
		t.Run(v.md+"/salt"+v.salt, func(t *testing.T) {
			o.TSTInfo(data, "-"+v.md)
			o.Run("cms", "-sign", "-binary", "-nodetach", "-in", "tstinfo.der", "-econtent_type", "id-smime-ct-TSTInfo",
				"-signer", "tsa.pem", "-inkey", "tsa.key", "-md", v.md, "-keyopt", "rsa_padding_mode:pss",
				"-keyopt", "rsa_pss_saltlen:"+v.salt, "-keyopt", "rsa_mgf1_md:"+v.md, "-cades", "-nosmimecap",
				"-outform", "DER", "-out", "pss.p7s")
			o.Run("cms", "-verify", "-purpose", "any", "-CAfile", "ca.pem", "-inform", "DER", "-in", "pss.p7s", "-binary", "-out", "/dev/null")
			der := readFile(t, filepath.Join(o.Dir, "pss.p7s"))
			opts := TokenOptions{Roots: []*x509.Certificate{o.CA}}
			r, err := VerifyToken(der, strings.NewReader(data), opts)
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, r, Passed, "", false)
			sig := r.Checks[2].Detail
			if !strings.Contains(sig, "RSASSA-PSS") || !strings.Contains(sig, "salt "+v.salt) {
				t.Errorf("signature detail %q does not name RSASSA-PSS with salt %s", sig, v.salt)
			}
			// The signature is the last bytes of this token (no unsigned
			// attributes): flip one.
			bad := bytes.Clone(der)
			bad[len(bad)-1] ^= 1
			r, err = VerifyToken(bad, strings.NewReader(data), opts)
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, r, Failed, CheckTokenSignature, false)
		})
	}
}

// goPKI is a CA and TSA made with crypto/x509, tokens made with
// digitorus/timestamp (the library the TSA server uses).
type goPKI struct {
	caKey *ecdsa.PrivateKey
	ca    *x509.Certificate
	key   *ecdsa.PrivateKey
}

func newGoPKI(t testing.TB) *goPKI {
	t.Helper()
	p := &goPKI{caKey: testpki.P256Key(t), key: testpki.P256Key(t)}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Go Test CA"},
		NotBefore:             time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &p.caKey.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	p.ca, _ = x509.ParseCertificate(der)
	return p
}

var oidEKU = asn1.ObjectIdentifier{2, 5, 29, 37}

// tsaCert issues a TSA certificate; eku is the DER of the EKU extension
// value and critical its flag (nil eku: no EKU extension).
func (p *goPKI) tsaCert(t testing.TB, cn string, serial int64, notAfter time.Time, eku []asn1.ObjectIdentifier, critical bool) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	if eku != nil {
		v, err := asn1.Marshal(eku)
		if err != nil {
			t.Fatal(err)
		}
		tmpl.ExtraExtensions = []pkix.Extension{{Id: oidEKU, Critical: critical, Value: v}}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &p.key.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var onlyTimeStamping = []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}}

func (p *goPKI) stamp(t testing.TB, cert *x509.Certificate, data string, at time.Time, withCert bool) []byte {
	t.Helper()
	sum := sha256.Sum256([]byte(data))
	return p.stampDigest(t, cert, sum[:], at, withCert)
}

func (p *goPKI) stampDigest(t testing.TB, cert *x509.Certificate, sum []byte, at time.Time, withCert bool) []byte {
	t.Helper()
	ts := timestamp.Timestamp{
		HashAlgorithm:     crypto.SHA256,
		HashedMessage:     sum,
		Time:              at.UTC(),
		Accuracy:          time.Second,
		Policy:            asn1.ObjectIdentifier{1, 2, 3, 4},
		Nonce:             big.NewInt(42),
		AddTSACertificate: withCert,
	}
	der, err := ts.CreateResponseWithOpts(cert, p.key, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestVerifyTokenGoTSA(t *testing.T) {
	t.Parallel()
	p := newGoPKI(t)
	genTime := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	good := p.tsaCert(t, "Go TSA", 10, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), onlyTimeStamping, true)
	roots := []*x509.Certificate{p.ca}
	const data = "manifest.sig bytes"
	verify := func(der []byte, data string, opts TokenOptions) *TokenResult {
		t.Helper()
		r, err := VerifyToken(der, strings.NewReader(data), opts)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	t.Run("passes", func(t *testing.T) {
		r := verify(p.stamp(t, good, data, genTime, true), data, TokenOptions{Roots: roots, Nonce: big.NewInt(42)})
		checkResult(t, r, Passed, "", true)
		if !r.Timestamp.Time.Equal(genTime) || r.Timestamp.TSA != "Go TSA" || r.SignerCert == nil || !r.SignerCert.Equal(good) {
			t.Errorf("result %+v", r.Timestamp)
		}
	})
	t.Run("wrong anchor", func(t *testing.T) {
		other := newGoPKI(t)
		r := verify(p.stamp(t, good, data, genTime, true), data, TokenOptions{Roots: []*x509.Certificate{other.ca}})
		checkResult(t, r, Indeterminate, CheckTokenChain, false)
	})
	t.Run("expired now, valid at genTime", func(t *testing.T) {
		old := p.tsaCert(t, "Old TSA", 11, time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), onlyTimeStamping, true)
		r := verify(p.stamp(t, old, data, time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC), true), data, TokenOptions{Roots: roots})
		checkResult(t, r, Passed, "", false)
		r = verify(p.stamp(t, old, data, genTime, true), data, TokenOptions{Roots: roots})
		checkResult(t, r, Indeterminate, CheckTokenChain, false)
	})
	for _, c := range []struct {
		name     string
		eku      []asn1.ObjectIdentifier
		critical bool
	}{
		{"eku not critical", onlyTimeStamping, false},
		{"eku with code signing too", append([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 3}}, onlyTimeStamping...), true},
		{"no eku", nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			cert := p.tsaCert(t, "Bad EKU TSA", 12, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), c.eku, c.critical)
			r := verify(p.stamp(t, cert, data, genTime, true), data, TokenOptions{Roots: roots})
			// Not a TSA certificate to RFC 3161: no time proven, nothing
			// proven altered.
			checkResult(t, r, Indeterminate, CheckTokenEKU, false)
		})
	}
	t.Run("substituted certificate", func(t *testing.T) {
		// Same key, issuer and serial, other subject: the signature still
		// verifies, only ESSCertIDv2 tells the certificates apart.
		twin := p.tsaCert(t, "Impostor TSA", 10, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), onlyTimeStamping, true)
		tok := p.stamp(t, good, data, genTime, false)
		r := verify(tok, data, TokenOptions{Roots: roots, Certs: []*x509.Certificate{twin}})
		checkResult(t, r, Indeterminate, CheckTokenSigningCert, false)
		if r.Checks[2].Status != Passed {
			t.Errorf("signature %s, want PASSED (same key)", r.Checks[2].Status)
		}
		r = verify(tok, data, TokenOptions{Roots: roots, Certs: []*x509.Certificate{good}})
		checkResult(t, r, Passed, "", false)
	})
	t.Run("substituted certificate, another key", func(t *testing.T) {
		// Same issuer and serial, another key: the signature does not
		// verify with it, but ESSCertIDv2 does not name it either, so
		// nothing shows the token altered; a verifier whose parser
		// refused the certificate would not have checked the signature:
		// INDETERMINATE for both (bundle-format.md, Conventions).
		impostor := *p
		impostor.key = testpki.P256Key(t)
		twin := impostor.tsaCert(t, "Impostor TSA", 10, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), onlyTimeStamping, true)
		r := verify(p.stamp(t, good, data, genTime, false), data, TokenOptions{Roots: roots, Certs: []*x509.Certificate{twin}})
		checkResult(t, r, Indeterminate, CheckTokenSignature, false)
		if c := r.Checks[2]; c.Sub != NoSigningCertificateFound {
			t.Errorf("signature %+v, want NO_SIGNING_CERTIFICATE_FOUND", c)
		}
	})
}

func TestParseTokenErrors(t *testing.T) {
	t.Parallel()
	rejected, err := timestamp.CreateErrorResponse(timestamp.Rejection, timestamp.BadAlgorithm)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		der  []byte
		want string
	}{
		{"rejection", rejected, "rejection"},
		{"rejection fail info", rejected, "badAlg"},
		{"empty", nil, "empty"},
		{"garbage", []byte("not a token at all"), "TimeStampToken"},
		{"too large", make([]byte, MaxTokenSize+1), "more than"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := ParseToken(c.der); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
			if _, err := VerifyToken(c.der, strings.NewReader(""), TokenOptions{}); err == nil {
				t.Fatal("VerifyToken accepted it")
			}
		})
	}
	p := newGoPKI(t)
	cert := p.tsaCert(t, "Go TSA", 10, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), onlyTimeStamping, true)
	resp := p.stamp(t, cert, "x", time.Now(), true)
	tok, err := ParseToken(resp)
	if err != nil {
		t.Fatal(err)
	}
	// The token is the response minus its PKIStatusInfo: digitorus sees it so.
	parsed, err := timestamp.ParseResponse(resp)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(tok, parsed.RawToken) {
		t.Error("ParseToken returned other bytes than the token digitorus/timestamp finds")
	}
	if again, err := ParseToken(tok); err != nil || !bytes.Equal(again, tok) {
		t.Errorf("a bare token does not parse to itself: %v", err)
	}
	if _, err := VerifyToken(resp, iotest.ErrReader(errors.New("disk gone")), TokenOptions{}); err == nil || !strings.Contains(err.Error(), "disk gone") {
		t.Errorf("read error not reported: %v", err)
	}
}

func TestParseCertificates(t *testing.T) {
	t.Parallel()
	p := newGoPKI(t)
	tsa := p.tsaCert(t, "Go TSA", 10, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), onlyTimeStamping, true)
	bundle := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tsa.Raw}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.ca.Raw})...)
	certs, err := ParseCertificates(append([]byte("comment line\n"), bundle...))
	if err != nil || len(certs) != 2 || !certs[0].Equal(tsa) || !certs[1].Equal(p.ca) {
		t.Fatalf("PEM bundle: %v, %d certificates", err, len(certs))
	}
	certs, err = ParseCertificates(p.ca.Raw)
	if err != nil || len(certs) != 1 || !certs[0].Equal(p.ca) {
		t.Fatalf("DER: %v", err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}})
	for name, in := range map[string][]byte{
		"junk":        []byte("junk"),
		"empty":       nil,
		"private key": append(bundle, keyPEM...),
		"bad PEM":     pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2}}),
		"DER + junk":  append(bytes.Clone(p.ca.Raw), 0),
	} {
		if _, err := ParseCertificates(in); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// FuzzVerifyToken feeds arbitrary bytes as a token: never a panic, and
// either an error or a complete result whose status is the verdict of
// its checks.
func FuzzVerifyToken(f *testing.F) {
	p := newGoPKI(f)
	cert := p.tsaCert(f, "Fuzz TSA", 10, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), onlyTimeStamping, true)
	const data = "fuzz"
	resp := p.stamp(f, cert, data, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), true)
	f.Add(resp)
	if tok, err := ParseToken(resp); err == nil {
		f.Add(tok)
	}
	f.Add(p.stamp(f, cert, data, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), false))
	f.Add([]byte{0x30, 0x80})
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x02})
	if dir, err := os.Getwd(); err == nil {
		corpus := filepath.Join(dir, "..", "..", "shared", "corpus", "tsa")
		for _, n := range []string{"sigstage-hello-sha256.tsr", "freetsa-test-sha512-2024.p7s", "globalsign-g4-two-signerinfos.p7s"} {
			if b, err := os.ReadFile(filepath.Join(corpus, n)); err == nil {
				f.Add(b)
			}
		}
	}
	opts := TokenOptions{Roots: []*x509.Certificate{p.ca}, Nonce: big.NewInt(42)}
	f.Fuzz(func(t *testing.T, der []byte) {
		r, err := VerifyToken(der, strings.NewReader(data), opts)
		if err != nil {
			if r != nil {
				t.Fatal("result with an error")
			}
			return
		}
		if len(r.Checks) != 8 || r.Status != Verdict(r.Checks) {
			t.Fatalf("%d checks, status %s, verdict %s", len(r.Checks), r.Status, Verdict(r.Checks))
		}
		if _, err := ParseToken(der); err != nil {
			t.Fatalf("VerifyToken read what ParseToken refuses: %v", err)
		}
	})
}

type zeros struct{}

func (zeros) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}

// TestVerifyTokenStreams checks that 64 MiB of data are hashed without
// being held in memory.
func TestVerifyTokenStreams(t *testing.T) {
	const size = 64 << 20
	h := sha256.New()
	if _, err := io.Copy(h, io.LimitReader(zeros{}, size)); err != nil {
		t.Fatal(err)
	}
	p := newGoPKI(t)
	cert := p.tsaCert(t, "Go TSA", 10, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), onlyTimeStamping, true)
	der := p.stampDigest(t, cert, h.Sum(nil), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), true)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r, err := VerifyToken(der, io.LimitReader(zeros{}, size), TokenOptions{Roots: []*x509.Certificate{p.ca}})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r, Passed, "", false)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Errorf("allocated %d bytes to hash %d", alloc, size)
	}
}

func BenchmarkVerifyToken(b *testing.B) {
	p := newGoPKI(b)
	cert := p.tsaCert(b, "Go TSA", 10, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), onlyTimeStamping, true)
	der := p.stamp(b, cert, "bench", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), true)
	opts := TokenOptions{Roots: []*x509.Certificate{p.ca}}
	for b.Loop() {
		r, err := VerifyToken(der, strings.NewReader("bench"), opts)
		if err != nil || r.Status != Passed {
			b.Fatal(err, r.Status)
		}
	}
}

func BenchmarkVerifyTokenCorpusRSA(b *testing.B) {
	corpus := tsaCorpus(b)
	der := readFile(b, filepath.Join(corpus, "globalsign-g4-notation-2021.p7s"))
	opts := TokenOptions{Roots: readCerts(b, filepath.Join(corpus, "globalsign-root-r3.crt"))}
	for b.Loop() {
		r, err := VerifyToken(der, strings.NewReader("notation"), opts)
		if err != nil || r.Status != Passed {
			b.Fatal(err, r.Status)
		}
	}
}

// TestVerifyTokenNotTSTInfo signs with openssl cms what is not a token:
// a TSTInfo declared as id-data, and plain data declared as a TSTInfo.
func TestVerifyTokenNotTSTInfo(t *testing.T) {
	t.Parallel()
	o := newOpenSSLTSA(t, "ec", "sha256")
	const data = "not a token"
	o.TSTInfo(data, "-sha256")
	opts := TokenOptions{Roots: []*x509.Certificate{o.CA}}
	for name, args := range map[string][]string{
		"TSTInfo as id-data": {"-in", "tstinfo.der"},
		"data as TSTInfo":    {"-in", "data.txt", "-econtent_type", "id-smime-ct-TSTInfo"},
	} {
		t.Run(name, func(t *testing.T) {
			o.Run(append([]string{"cms", "-sign", "-binary", "-nodetach", "-signer", "tsa.pem", "-inkey", "tsa.key",
				"-md", "sha256", "-cades", "-outform", "DER", "-out", "cms.p7s"}, args...)...)
			r, err := VerifyToken(readFile(t, filepath.Join(o.Dir, "cms.p7s")), strings.NewReader(data), opts)
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, r, Failed, CheckTokenFormat, false)
		})
	}
}

// TestVerifyTokenTSANameMismatch re-signs an openssl TSTInfo, whose tsa
// field names "Custody Test TSA", with another TSA certificate of the same
// CA: everything verifies but the name (RFC 3161 §2.4.2).
func TestVerifyTokenTSANameMismatch(t *testing.T) {
	t.Parallel()
	o := newOpenSSLTSA(t, "ec", "sha256")
	const data = "tsa name"
	o.TSTInfo(data, "-sha256")
	o.Run("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-keyout", "other.key", "-nodes",
		"-subj", "/CN=Other TSA", "-out", "other.csr")
	o.Run("x509", "-req", "-in", "other.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "30",
		"-extfile", "ext.cnf", "-extensions", "tsa", "-out", "other.pem")
	o.Run("cms", "-sign", "-binary", "-nodetach", "-in", "tstinfo.der", "-econtent_type", "id-smime-ct-TSTInfo",
		"-signer", "other.pem", "-inkey", "other.key", "-md", "sha256", "-cades", "-outform", "DER", "-out", "other.p7s")
	r, err := VerifyToken(readFile(t, filepath.Join(o.Dir, "other.p7s")), strings.NewReader(data), TokenOptions{Roots: []*x509.Certificate{o.CA}})
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r, Indeterminate, CheckTokenSigningCert, false)
	if d := r.Checks[3].Detail; !strings.Contains(d, "Custody Test TSA") || !strings.Contains(d, "Other TSA") {
		t.Errorf("detail %q does not name both TSAs", d)
	}
}

// TestVerifyTokenSubjectKeyID: a SignerInfo may name its certificate by
// subjectKeyIdentifier instead of issuer and serial (openssl cms -keyid),
// here in a token without certificates, the TSA certificate given apart.
func TestVerifyTokenSubjectKeyID(t *testing.T) {
	t.Parallel()
	o := newOpenSSLTSA(t, "ec", "sha256")
	const data = "ski"
	o.TSTInfo(data, "-sha256")
	o.Run("cms", "-sign", "-binary", "-nodetach", "-in", "tstinfo.der", "-econtent_type", "id-smime-ct-TSTInfo",
		"-signer", "tsa.pem", "-inkey", "tsa.key", "-md", "sha256", "-cades", "-keyid", "-nocerts", "-outform", "DER", "-out", "ski.p7s")
	if out := o.Run("cms", "-cmsout", "-print", "-inform", "DER", "-in", "ski.p7s"); !bytes.Contains(out, []byte("subjectKeyIdentifier")) {
		t.Fatalf("openssl did not name the signer by subjectKeyIdentifier:\n%s", out)
	}
	der := readFile(t, filepath.Join(o.Dir, "ski.p7s"))
	r, err := VerifyToken(der, strings.NewReader(data), TokenOptions{Roots: []*x509.Certificate{o.CA}, Certs: []*x509.Certificate{o.TSA}})
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r, Passed, "", false)
	r, err = VerifyToken(der, strings.NewReader(data), TokenOptions{Roots: []*x509.Certificate{o.CA}})
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r, Indeterminate, CheckTokenSignature, false)
}
