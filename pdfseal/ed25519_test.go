package pdfseal

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// TestSealEd25519OpenSSL checks an Ed25519 PDF signature with OpenSSL's
// Ed25519 and SHA-512, since neither pdfsig (NSS 3.87) nor `openssl cms`
// (3.0) handle Ed25519 CMS: the CMS is taken apart here by hand, the
// message digest is recomputed by `openssl dgst -sha512` over the signed
// byte ranges, and the signature over the signed attributes is checked
// with `openssl pkeyutl -verify -rawin` and the certificate's key.
func TestSealEd25519OpenSSL(t *testing.T) {
	tool(t, "openssl")
	key := signers(t)["Ed25519"]
	signed := seal(t, render(t, "ed25519"), bundle(t, []byte("payload")), Options{Signer: signerOf(t, key, nil), Timestamper: tsaClient(testTSA(t, exportTime)), Time: exportTime})
	span := contentsSpan(t, signed)
	// /Contents is the CMS padded with zeros: its DER length says where
	// it ends (trimming the zeros would also trim a last byte 0x?0).
	padded, err := hex.DecodeString(string(signed[span[0]+1 : span[1]-1]))
	if err != nil {
		t.Fatal(err)
	}
	var der cryptobyte.String
	if s := cryptobyte.String(padded); !s.ReadASN1Element(&der, cbasn1.SEQUENCE) {
		t.Fatal("/Contents does not start with a DER SEQUENCE")
	}
	attrs, sig, certDER, digest := splitCMS(t, der)
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cert.PublicKey.(ed25519.PublicKey); !ok {
		t.Fatalf("certificate key %T", cert.PublicKey)
	}

	dir := t.TempDir()
	put := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pubDER, _ := x509.MarshalPKIXPublicKey(cert.PublicKey)
	pub := put("pub.pem", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}))
	ranges := append(bytes.Clone(signed[:span[0]]), signed[span[1]:]...)
	out, err := exec.Command("openssl", "dgst", "-sha512", "-hex", put("ranges", ranges)).Output()
	if err != nil {
		t.Fatal(err)
	}
	if f := strings.Fields(string(out)); f[len(f)-1] != hex.EncodeToString(digest) {
		t.Errorf("openssl SHA-512 of the signed ranges %s, messageDigest %x", f[len(f)-1], digest)
	}
	verifyRaw := func(data []byte) (string, error) {
		out, err := exec.Command("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin",
			"-in", put("attrs", data), "-sigfile", put("sig", sig)).CombinedOutput()
		return string(out), err
	}
	if out, err := verifyRaw(attrs); err != nil || !strings.Contains(out, "Signature Verified Successfully") {
		t.Errorf("openssl pkeyutl: %v\n%s", err, out)
	}
	bad := bytes.Clone(attrs)
	bad[len(bad)-1] ^= 1
	if out, err := verifyRaw(bad); err == nil || strings.Contains(out, "Verified Successfully") {
		t.Errorf("openssl pkeyutl accepts altered attributes:\n%s", out)
	}
}

// splitCMS walks a SignedData by hand: the signed attributes as signed
// (SET OF), the signature, the first certificate and the messageDigest.
func splitCMS(t *testing.T, der []byte) (attrs, sig, cert, digest []byte) {
	t.Helper()
	fail := func(what string) { t.Fatalf("CMS: cannot read %s", what) }
	var ci, sd, certs, infos, si cryptobyte.String
	s := cryptobyte.String(der)
	if !s.ReadASN1(&ci, cbasn1.SEQUENCE) || !ci.SkipASN1(cbasn1.OBJECT_IDENTIFIER) ||
		!ci.ReadASN1(&sd, cbasn1.Tag(0).Constructed().ContextSpecific()) || !sd.ReadASN1(&sd, cbasn1.SEQUENCE) {
		fail("ContentInfo")
	}
	if !sd.SkipASN1(cbasn1.INTEGER) || !sd.SkipASN1(cbasn1.SET) || !sd.SkipASN1(cbasn1.SEQUENCE) ||
		!sd.ReadASN1(&certs, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		fail("SignedData")
	}
	var c cryptobyte.String
	if !certs.ReadASN1Element(&c, cbasn1.SEQUENCE) {
		fail("certificate")
	}
	sd.SkipOptionalASN1(cbasn1.Tag(1).Constructed().ContextSpecific())
	if !sd.ReadASN1(&infos, cbasn1.SET) || !infos.ReadASN1(&si, cbasn1.SEQUENCE) {
		fail("SignerInfo")
	}
	var signedAttrs, attrBody cryptobyte.String
	if !si.SkipASN1(cbasn1.INTEGER) || !si.SkipASN1(cbasn1.SEQUENCE) || !si.SkipASN1(cbasn1.SEQUENCE) ||
		!si.ReadASN1Element(&signedAttrs, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!si.SkipASN1(cbasn1.SEQUENCE) || !si.ReadASN1Bytes(&sig, cbasn1.OCTET_STRING) {
		fail("SignerInfo fields")
	}
	attrs = bytes.Clone(signedAttrs)
	attrs[0] = 0x31 // [0] IMPLICIT -> SET OF, as signed (RFC 5652 §5.4)
	body := cryptobyte.String(attrs)
	body.ReadASN1(&attrBody, cbasn1.SET)
	for !attrBody.Empty() {
		var a, oid, vals cryptobyte.String
		attrBody.ReadASN1(&a, cbasn1.SEQUENCE)
		a.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER)
		a.ReadASN1(&vals, cbasn1.SET)
		if bytes.Equal(oid, []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04}) { // messageDigest
			vals.ReadASN1Bytes(&digest, cbasn1.OCTET_STRING)
		}
	}
	if digest == nil {
		fail("messageDigest")
	}
	return attrs, sig, c, digest
}
