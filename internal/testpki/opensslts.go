package testpki

import (
	"crypto/x509"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/digitorus/timestamp"
)

// OpenSSLTSA is a CA and a TSA made and run by the openssl CLI (ts
// -reply), as real deployments of OpenSSL's TSA are configured: the
// shapes of token other TSAs send come from the same few settings.
//
//	o := testpki.NewOpenSSLTSA(t, testpki.TSAConfig{CAKey: "rsa-pss", TSAKey: "ec"})
//	tsr, nonce := o.Stamp("data", "-sha256", "-cert")
type OpenSSLTSA struct {
	T   testing.TB
	Dir string // holds ca.pem, ca.key, tsa.pem, tsa.key, ts.cnf
	CA  *x509.Certificate
	TSA *x509.Certificate
}

// TSAConfig chooses the keys and the TSA's settings. Keys are "ec"
// (P-256), "rsa:2048", "rsa-pss" (an RSA key restricted to RSASSA-PSS,
// without parameters) or "rsa-pss-sha256" (restricted to SHA-256 with
// salts of 32 bytes or more, as D-Trust's qualified CAs are).
type TSAConfig struct {
	CAKey, TSAKey string // default "ec"
	// ESSAlg is ess_cert_id_alg: sha1 gives ESSCertID v1, others
	// ESSCertIDv2; default sha256.
	ESSAlg string
	// CertsWithTSA puts the TSA's own certificate in the `certs` file
	// too, after the CA's: the token then carries it twice.
	CertsWithTSA bool
	// ESSChain is ess_cert_id_chain: the signing-certificate attribute
	// identifies the CA's certificate too.
	ESSChain bool
}

// NewOpenSSLTSA makes the CA (self-signed) and the TSA certificate
// (critical timeStamping EKU); it skips the test without openssl.
func NewOpenSSLTSA(t testing.TB, c TSAConfig) *OpenSSLTSA {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	o := &OpenSSLTSA{T: t, Dir: t.TempDir()}
	certs := "$dir/ca.pem"
	if c.CertsWithTSA {
		o.Write("chain.pem", "")
		certs = "$dir/chain.pem"
	}
	o.Write("ext.cnf", "[tsa]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n")
	o.Write("ts.cnf", `[ tsa ]
default_tsa = tsa1
[ tsa1 ]
dir = `+o.Dir+`
serial = $dir/serial
signer_cert = $dir/tsa.pem
certs = `+certs+`
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha1, sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_alg = `+or(c.ESSAlg, "sha256")+`
ess_cert_id_chain = `+map[bool]string{true: "yes", false: "no"}[c.ESSChain]+"\n")
	o.Run(append(append([]string{"req", "-x509"}, keyArgs(or(c.CAKey, "ec"))...), "-keyout", "ca.key", "-nodes", "-subj", "/CN=Custody Test CA",
		"-days", "30", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", "ca.pem")...)
	o.Run(append(append([]string{"req", "-new"}, keyArgs(or(c.TSAKey, "ec"))...), "-keyout", "tsa.key", "-nodes", "-subj", "/CN=Custody Test TSA", "-out", "tsa.csr")...)
	o.Run("x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "30",
		"-extfile", "ext.cnf", "-extensions", "tsa", "-out", "tsa.pem")
	if c.CertsWithTSA {
		o.Write("chain.pem", string(o.Read("ca.pem"))+string(o.Read("tsa.pem")))
	}
	o.CA, o.TSA = o.cert("ca.pem"), o.cert("tsa.pem")
	return o
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func keyArgs(key string) []string {
	switch key {
	case "ec":
		return []string{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"}
	case "rsa-pss":
		return []string{"-newkey", "rsa-pss", "-pkeyopt", "rsa_keygen_bits:2048"}
	case "rsa-pss-sha256":
		return []string{"-newkey", "rsa-pss", "-pkeyopt", "rsa_keygen_bits:2048", "-pkeyopt", "rsa_pss_keygen_md:sha256",
			"-pkeyopt", "rsa_pss_keygen_mgf1_md:sha256", "-pkeyopt", "rsa_pss_keygen_saltlen:32"}
	}
	return []string{"-newkey", key}
}

// IssueTSA issues another TSA certificate from the CA, of the same
// subject (the TSTInfo names it), name.pem for a fresh key name.key of
// the kind key (see TSAConfig): `openssl ts -reply`
// cannot sign with a key restricted to RSASSA-PSS (its PKCS#7 code has no
// PSS), so tests re-sign a TSTInfo with `openssl cms` under it.
func (o *OpenSSLTSA) IssueTSA(name, key string) *x509.Certificate {
	o.T.Helper()
	o.Run(append(append([]string{"req", "-new"}, keyArgs(key)...), "-keyout", name+".key", "-nodes", "-subj", "/CN=Custody Test TSA", "-out", name+".csr")...)
	o.Run("x509", "-req", "-in", name+".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "30",
		"-extfile", "ext.cnf", "-extensions", "tsa", "-out", name+".pem")
	return o.cert(name + ".pem")
}

func (o *OpenSSLTSA) cert(name string) *x509.Certificate {
	b, _ := pem.Decode(o.Read(name))
	if b == nil {
		o.T.Fatalf("%s: no PEM", name)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		o.T.Fatal(err)
	}
	return c
}

// Write writes a file of the TSA's directory.
func (o *OpenSSLTSA) Write(name, content string) {
	if err := os.WriteFile(filepath.Join(o.Dir, name), []byte(content), 0o600); err != nil {
		o.T.Fatal(err)
	}
}

// Read reads a file of the TSA's directory.
func (o *OpenSSLTSA) Read(name string) []byte {
	b, err := os.ReadFile(filepath.Join(o.Dir, name))
	if err != nil {
		o.T.Fatal(err)
	}
	return b
}

// Run runs openssl in the TSA's directory.
func (o *OpenSSLTSA) Run(args ...string) []byte {
	o.T.Helper()
	cmd := exec.Command("openssl", args...)
	cmd.Dir = o.Dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		o.T.Fatalf("openssl %v: %v\n%s", args, err, out)
	}
	return out
}

// Reply answers the DER TimeStampReq query with `openssl ts -reply`, and
// checks that `openssl ts -verify` accepts the answer (or the fixture is
// wrong).
func (o *OpenSSLTSA) Reply(query []byte) []byte {
	o.T.Helper()
	o.Write("q.tsq", string(query))
	o.Run("ts", "-reply", "-config", "ts.cnf", "-queryfile", "q.tsq", "-out", "r.tsr")
	o.Run("ts", "-verify", "-queryfile", "q.tsq", "-in", "r.tsr", "-CAfile", "ca.pem", "-untrusted", "tsa.pem")
	return o.Read("r.tsr")
}

// Server serves the TSA over HTTP as RFC 3161 asks (a DER TimeStampReq
// posted, an application/timestamp-reply answered by Reply), until the
// test ends.
func (o *OpenSSLTSA) Server() *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		query, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.Write(o.Reply(query))
	}))
	o.T.Cleanup(srv.Close)
	return srv
}

// Stamp asks openssl for a response over data; queryArgs are extra
// `openssl ts -query` flags (-sha384, -cert, -no_nonce).
func (o *OpenSSLTSA) Stamp(data string, queryArgs ...string) (tsr []byte, nonce *big.Int) {
	o.T.Helper()
	o.Write("data.txt", data)
	o.Run(append([]string{"ts", "-query", "-data", "data.txt", "-out", "q.tsq"}, queryArgs...)...)
	query := o.Read("q.tsq")
	req, err := timestamp.ParseRequest(query)
	if err != nil {
		o.T.Fatal(err)
	}
	return o.Reply(query), req.Nonce
}

// TSTInfo stamps data (hash flag md, e.g. "-sha256") with the TSA
// certificate included, and extracts the token (tok.der) and its TSTInfo
// (tstinfo.der), for tests that re-sign it with openssl cms.
func (o *OpenSSLTSA) TSTInfo(data, md string) {
	o.T.Helper()
	o.Stamp(data, md, "-cert")
	o.Run("ts", "-reply", "-in", "r.tsr", "-token_out", "-out", "tok.der")
	o.Run("cms", "-verify", "-noverify", "-inform", "DER", "-in", "tok.der", "-out", "tstinfo.der")
}
