package main

import (
	"os"
	"path/filepath"

	"github.com/custody-toolkit/custody/manifest"
)

// generator holds the base bundles every vector starts from, and the
// vectors made so far.
type generator struct {
	p       *pki
	tmp     string
	keys    map[string][]byte
	vectors []*vector

	base      *bundle // v2, all six messages, Ed25519, custody log: what the exporter writes
	selective *bundle // v2, withholding m1, m4 and m6
}

func newGenerator(tmp string) *generator {
	p := newPKI()
	g := &generator{p: p, tmp: tmp, keys: map[string][]byte{}}
	g.keys["tsa-root.pem"] = p.root.pem()
	g.keys["stranger-root.pem"] = p.strangerRoot.pem()
	g.keys["expired-root.pem"] = p.expiredRoot.pem()
	g.keys["pathlen0-root.pem"] = p.pathLenRoot.pem()
	g.keys["signer.pub"] = publicPEM(p.signer.Public())
	g.keys["other.pub"] = publicPEM(p.other.Public())
	g.keys["ecdsa-signer.pub"] = publicPEM(p.ecdsaSigner.Public())
	g.keys["log.note"] = logVerifierFile(trustedLogKey)
	g.keys["other-log.note"] = logVerifierFile(otherLogKey)
	g.base = p.export(g.dir("base"), exportOptions{})
	return g
}

func publicPEM(pub any) []byte {
	b, err := manifest.MarshalPublicKeyPEM(pub)
	must(err)
	return b
}

// dir is a fresh working folder for one export.
func (g *generator) dir(name string) string {
	d := filepath.Join(g.tmp, name)
	must(os.MkdirAll(d, 0o755))
	return d
}

// all makes every vector, group by group.
func (g *generator) all() {
	g.valid()
	g.container()
	g.canonicalJSON()
	g.manifestMembers()
	g.intake()
	g.messageEntries()
	g.chainAndTree()
	g.signature()
	g.signerChain()
	g.rsaSigners()
	g.tokens()
	g.custodyLog()
	g.renewals()
	g.signerRevocation()
	g.transparency()
	g.consistency()
	g.rendering()
	g.pdfs()
	g.pades()
	g.pdfCertificates()
	g.revisions()
	g.pdfRules()
	g.docTimestamps()
	g.remaining()
	g.limits()
}

// add records a vector.
func (g *generator) add(name, ext string, data []byte, e expectation) {
	g.vectors = append(g.vectors, &vector{name: name, ext: ext, data: data, exp: e})
}

// bundleVector records b as a bundle vector.
func (g *generator) bundleVector(name string, b *bundle, e expectation) {
	g.add(name, ".custody", b.zip(), e)
}

// expect is the expectation of a vector that reaches verdict at check
// with sub-indication sub (empty for PASSED).
func expect(rule, desc, verdict, check, sub string) expectation {
	return expectation{Rule: rule, Description: desc, Verdict: verdict, Check: check, SubIndication: sub}
}

func failed(rule, desc, check, sub string) expectation {
	return expect(rule, desc, Failed, check, sub)
}

func indeterminate(rule, desc, check, sub string) expectation {
	return expect(rule, desc, Indeterminate, check, sub)
}

func passed(rule, desc string) expectation {
	e := expect(rule, desc, Passed, "", "")
	e.Signer = "signer.pub"
	return e
}

// at sets the index of a check that repeats (the token, the event).
func (e expectation) at(index int) expectation { e.Index = index; return e }

// trustingLog names the log key files the verifier trusts (--trust-log).
func (e expectation) trustingLog(keys ...string) expectation { e.TrustLogs = keys; return e }

// withSigner names the expected signer's key file.
func (e expectation) withSigner(key string) expectation { e.Signer = key; return e }

// sealed clones the base bundle, lets edit change its manifest, and seals
// it again: only the manifest is wrong, and its signature and tokens hold.
func (g *generator) sealed(from *bundle, edit func(m *manifest.Manifest)) *bundle {
	b := from.clone()
	m := b.manifest()
	edit(m)
	b.reseal(m)
	return b
}

// sealedRaw is sealed with the manifest's bytes edited as bytes.
func (g *generator) sealedRaw(from *bundle, edit func(raw []byte) []byte) *bundle {
	b := from.clone()
	b.resealRaw(edit(b.get(manifest.ManifestName)))
	return b
}
