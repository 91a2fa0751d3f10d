package main

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	_ "embed"
	"encoding/pem"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/manifest"
)

// The RSA signers' keys: test keys generated once with openssl (Go draws
// RSA keys at random, whatever the reader) and used nowhere else, as a
// PKCS#12 file or a card holds them. The 1024-bit one is too short for
// the format, for the vector of a key its constraints refuse.
var (
	//go:embed testkeys/signer-rsa.pem
	rsaSignerPEM []byte
	//go:embed testkeys/signer-rsa1024.pem
	rsa1024SignerPEM []byte
)

func parseRSAKey(pemBytes []byte) *rsa.PrivateKey {
	block, _ := pem.Decode(pemBytes)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	must(err)
	return k.(*rsa.PrivateKey)
}

// rsaSigners: bundles sealed by RSA keys (rsa-pkcs1-sha256, format v5,
// bundle-format.md §5 and §8).
func (g *generator) rsaSigners() {
	const rule = "bundle-format.md §5"
	signer, weak := parseRSAKey(rsaSignerPEM), parseRSAKey(rsa1024SignerPEM)
	g.keys["rsa-signer.pub"] = publicPEM(signer.Public())
	// RSASSA-PKCS1-v1_5 is deterministic, but the exporter derives leaf
	// salts only from keys it holds as Ed25519 or ECDSA: a fixed secret
	// keeps the vectors reproducible.
	secret := bytes.Repeat([]byte{0x5a}, 32)
	base := g.p.export(g.dir("rsa"), exportOptions{key: signer, disclosure: custody.Disclosure{SaltSecret: secret}})
	g.bundleVector("valid/rsa", base, passed(rule, "sealed with an RSA-2048 key (rsa-pkcs1-sha256: RSASSA-PKCS1-v1_5 over SHA-256), as PKCS#12 files and cards hold them: format custody.bundle/v5").withSigner("rsa-signer.pub"))

	short := base.clone()
	short.key = weak
	m := short.manifest()
	m.Signer.Fingerprint, _ = manifest.Fingerprint(weak.Public())
	m.CustodyLog = false // no custody event: the writer refuses to sign one with this key
	short.reseal(m)
	g.bundleVector("signature/rsa-1024", short, indeterminate(rule, "sealed with an RSA key of 1024 bits, under the 2048 the format admits, without a custody log: its signature establishes nothing, forged or not (an exporter refuses to sign with it)", "signature", "CRYPTO_CONSTRAINTS_FAILURE"))

	v4 := base.clone()
	m = v4.manifest()
	m.Format = manifest.FormatV4
	v4.reseal(m)
	g.bundleVector("manifest/rsa-in-v4", v4, failed("bundle-format.md §8", "rsa-pkcs1-sha256 in a manifest that says custody.bundle/v4: the algorithm came with v5, and a writer MUST write v5 with it", "manifest", "FORMAT_FAILURE").withSigner("rsa-signer.pub"))
}
