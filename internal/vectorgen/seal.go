package main

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"encoding/pem"
	"strings"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/custodylog/logwriter"
	"github.com/custody-toolkit/custody/manifest"
)

func (g *generator) signature() {
	const rule = "bundle-format.md §5"
	sigFailed := func(desc string) expectation {
		return failed(rule, desc, "signature", "SIG_CRYPTO_FAILURE").withSigner("signer.pub")
	}
	flip := func(name string, at int, desc string) {
		b := g.base.clone()
		data := append([]byte(nil), b.get(name)...)
		data[at] ^= 0x80
		b.set(name, data)
		g.bundleVector("signature/"+desc[:0]+name2(name, at), b, sigFailed("one bit of "+name+" changed (byte "+itoa(at)+")"))
	}
	for _, at := range []int{0, 31, 32, 63} {
		flip(manifest.SignatureName, at, "")
	}
	// The manifest changed after signing, consistently with everything else.
	b := g.base.clone()
	m := b.manifest()
	m.Conversation.Title = "Seguimiento (alterado)"
	raw, _ := m.Marshal()
	b.set(manifest.ManifestName, raw)
	g.bundleVector("signature/manifest-edited", b, sigFailed("the manifest's title changed after signing"))

	sig := g.base.clone()
	sig.set(manifest.SignatureName, g.base.get(manifest.SignatureName)[:63])
	g.bundleVector("signature/truncated", sig, sigFailed("manifest.sig of 63 bytes"))
	sig = g.base.clone()
	sig.set(manifest.SignatureName, append(append([]byte(nil), g.base.get(manifest.SignatureName)...), 0))
	g.bundleVector("signature/extended", sig, sigFailed("manifest.sig with a byte appended"))

	// Another key: its own signature, but signer.fingerprint names the sealing key.
	other := g.base.clone()
	other.set(manifest.SignatureName, ed25519.Sign(g.p.other, other.get(manifest.ManifestName)))
	other.set(manifest.SignerName, publicPEM(g.p.other.Public()))
	g.bundleVector("signature/other-key", other, failed(rule, "signed by another key, its signer.pem swapped in: the fingerprint in the manifest names the sealing key", "signature", "UNEXPECTED_SIGNER").withSigner("signer.pub"))

	// A forger reseals with their own key: everything verifies but the signer.
	forged := g.base.clone()
	forged.key = g.p.other
	fm := forged.manifest()
	fp, _ := manifest.Fingerprint(g.p.other.Public())
	fm.Signer.Fingerprint = fp
	forged.reseal(fm)
	g.bundleVector("signer/other-key", forged, failed("bundle-format.md §7", "sealed whole by another key: valid, but not the expected signer", "signer", "UNEXPECTED_SIGNER").withSigner("signer.pub"))
	e := passed("bundle-format.md §7", "the same bundle without an expected signer: PASSED, the report names the key and says its identity was not checked")
	e.Signer = ""
	g.bundleVector("signer/other-key-no-signer", forged, e)

	// signer.pem encodings.
	pemVector := func(name, desc string, data []byte, e expectation) {
		c := g.base.clone()
		c.set(manifest.SignerName, data)
		e.Description = desc
		g.bundleVector("signature/signer-pem-"+name, c, e.withSigner("signer.pub"))
	}
	der := pemBlock(g.base.get(manifest.SignerName))
	pemFormat := failed(rule, "", "signature", "FORMAT_FAILURE")
	pemVector("garbage", "signer.pem not PEM", []byte("not a key\n"), pemFormat)
	pemVector("private-type", "the block typed PRIVATE KEY", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), pemFormat)
	pemVector("two-blocks", "the key's PEM block written twice", append(g.base.get(manifest.SignerName), g.base.get(manifest.SignerName)...), pemFormat)
	pemVector("crlf", "the PEM with CRLF line ends", []byte(strings.ReplaceAll(string(g.base.get(manifest.SignerName)), "\n", "\r\n")), pemFormat)
	pemVector("no-final-newline", "the PEM without its last LF", g.base.get(manifest.SignerName)[:len(g.base.get(manifest.SignerName))-1], pemFormat)
	pemVector("header", "the PEM with a header line", []byte(strings.Replace(string(g.base.get(manifest.SignerName)), "-----\n", "-----\nComment: x\n\n", 1)), pemFormat)
	wrongKey := failed(rule, "", "signature", "UNEXPECTED_SIGNER")
	pemVector("der-flipped", "one bit of the key changed: not the key the manifest names", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: flipped(der, len(der)-1)}), wrongKey)
	pemVector("rsa", "an RSA key in signer.pem: not the key the manifest names", []byte(rsaPublicPEM), wrongKey)
	rsa := g.sealed(g.base, func(m *manifest.Manifest) {
		m.Signer.Fingerprint, m.Signer.Algorithm = sum(pemBlock([]byte(rsaPublicPEM))), "rsa-pss-sha256"
	})
	rsa.set(manifest.SignerName, []byte(rsaPublicPEM))
	g.bundleVector("signature/rsa-key-named", rsa, failed(rule, "the manifest names an RSA key and rsa-pss-sha256, which signer.pem holds: a version 2 manifest with a signer version 2 does not define (a later algorithm comes with a later format version, which is INDETERMINATE)", "signature", "FORMAT_FAILURE").withSigner("signer.pub"))
}

func pemBlock(data []byte) []byte {
	b, _ := pem.Decode(data)
	return b.Bytes
}

func flipped(data []byte, at int) []byte {
	out := append([]byte(nil), data...)
	out[at] ^= 0x01
	return out
}

func name2(name string, at int) string { return "flipped-" + slug(name) + "-" + itoa(at) }

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	s := ""
	for ; i > 0; i /= 10 {
		s = string(rune('0'+i%10)) + s
	}
	return s
}

// A 2048-bit RSA public key (from openssl genrsa): version 1 defines no
// RSA signer.
const rsaPublicPEM = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo
4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u
+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyeh
kd3qqGElvW/VDL5AaWTg0nLVkjRo9z+40RQzuVaE8AkAFmxZzow3x+VJYKdjykkJ
0iT9wCS0DRTXu269V264Vf/3jvredZiKRkgwlL9xNAwxXFg0x/XFw005UWVRIkdg
cKWTjpBP2dPwVZ4WWC+9aGVd+Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbc
mwIDAQAB
-----END PUBLIC KEY-----
`

func (g *generator) tokens() {
	const rule = "bundle-format.md §6"
	tok := func(name, desc string, spec tokenSpec, e expectation) {
		b := g.p.export(g.dir("token-"+name), exportOptions{tokens: []tokenSpec{spec}})
		e.Rule, e.Description = rule, desc
		if e.Verdict != Passed && e.Check != "timestamp.trust" {
			e = e.at(1)
		}
		g.bundleVector("token/"+name, b, e.withSigner("signer.pub"))
	}
	ind := func(check, sub string) expectation { return indeterminate("", "", check, sub) }
	fail := func(check, sub string) expectation { return failed("", "", check, sub) }
	other := []byte("another manifest.sig")
	tok("imprint-other-data", "the imprint is the SHA-256 of other data", tokenSpec{editTST: func(t []byte) []byte {
		s := crypto.SHA256.New()
		s.Write(other)
		return replaceImprint(t, s.Sum(nil))
	}}, fail("token.imprint", "HASH_FAILURE"))
	tok("imprint-sha1", "the imprint is SHA-1 (a hash too weak to prove anything)", tokenSpec{imprint: crypto.SHA1}, ind("token.imprint", "CRYPTO_CONSTRAINTS_FAILURE"))
	trust := ind("timestamp.trust", "NO_CERTIFICATE_CHAIN_FOUND")
	trust.Index = 0
	tok("untrusted-tsa", "a TSA that chains to no trust anchor", tokenSpec{tsa: g.p.strangerTSA}, trust)
	tok("tsa-expired", "the TSA certificate expired before genTime", tokenSpec{tsa: g.p.tsaExpired}, trust)
	tok("tsa-not-yet-valid", "the TSA certificate not yet valid at genTime", tokenSpec{tsa: g.p.tsaNotYet}, trust)
	anchored := func(name, desc string, spec tokenSpec, anchor string) {
		e := trust
		e.Trust = []string{anchor}
		tok(name, desc, spec, e)
	}
	anchored("anchor-expired", "the trust anchor itself expired before genTime: the path is validated at genTime, the anchor included", tokenSpec{tsa: g.p.tsaUnderExpiredRoot}, "expired-root.pem")
	anchored("path-length", "the anchor allows no intermediate CA below it (pathLenConstraint 0), the token's path has one", tokenSpec{tsa: g.p.tsaUnderPathLen, certs: []*cert{g.p.tsaUnderPathLen, g.p.pathLenIntermediate}}, "pathlen0-root.pem")
	tok("rsa-pss-wrong-salt", "RSASSA-PSS parameters saying a salt of 20 bytes, the signature made with 32: the parameters are honoured", tokenSpec{tsa: g.p.tsaRSA, pss: true, pssParamSalt: 20}, fail("token.signature", "SIG_CRYPTO_FAILURE"))
	tok("no-certificates", "the token carries no certificate, and the verifier holds only the root: the signature cannot be checked", tokenSpec{noCerts: true}, ind("token.signature", "NO_SIGNING_CERTIFICATE_FOUND"))
	tok("eku-missing", "the TSA certificate has no extended key usage", tokenSpec{tsa: g.p.tsaNoEKU}, ind("token.eku", "CHAIN_CONSTRAINTS_FAILURE"))
	tok("eku-not-critical", "the timeStamping extended key usage not critical", tokenSpec{tsa: g.p.tsaNonCritical}, ind("token.eku", "CHAIN_CONSTRAINTS_FAILURE"))
	tok("eku-two", "timeStamping and serverAuth: timeStamping must be the only one", tokenSpec{tsa: g.p.tsaTwoEKU}, ind("token.eku", "CHAIN_CONSTRAINTS_FAILURE"))
	tok("tsa-name-mismatch", "the TSTInfo's tsa names another certificate than the signer's", tokenSpec{tsaName: g.p.root}, ind("token.signing-certificate", "SIG_CONSTRAINTS_FAILURE"))
	tok("ess-other-cert", "the ESSCertIDv2 names another certificate", tokenSpec{essCert: g.p.tsaNoEKU}, ind("token.signing-certificate", "SIG_CONSTRAINTS_FAILURE"))
	tok("ess-v1-other-cert", "the ESSCertID (v1) names another certificate", tokenSpec{essV1: true, essCert: g.p.tsaNoEKU}, ind("token.signing-certificate", "SIG_CONSTRAINTS_FAILURE"))
	tok("ess-missing", "no signing-certificate attribute", tokenSpec{noESS: true}, ind("token.signing-certificate", "SIG_CONSTRAINTS_FAILURE"))
	tok("status-rejection", "the response's status is rejection (2), with the token", tokenSpec{status: seq(small(2))}, fail("token.format", "FORMAT_FAILURE"))
	tok("status-text", "granted, with a statusString: under the seal, reported as the TSA sent it", tokenSpec{status: seq(small(0), seq(tlv(tagUTF8, []byte("ok"))))}, expectation{Verdict: Passed})
	tok("trailing-byte", "a byte after the TimeStampResp", tokenSpec{edit: func(r []byte) []byte { return append(r, 0) }}, fail("token.format", "FORMAT_FAILURE"))
	tok("genTime-fraction", "genTime with a fraction of a second (allowed by RFC 3161)", tokenSpec{genTimeText: "20261201100000.5Z"}, expectation{Verdict: Passed})

	// Tokens changed after sealing: the custody log's event 1 seals them.
	sealFail := func(name, desc, sub string, edit func(b *bundle)) {
		b := g.base.clone()
		edit(b)
		g.bundleVector("token/"+name, b, failed("bundle-format.md §6, the token seal", desc, "token.seal", sub).withSigner("signer.pub"))
	}
	sealFail("seal-flipped", "one bit of the stored token changed", "HASH_FAILURE", func(b *bundle) {
		b.set(manifest.TokenName, flipped(b.get(manifest.TokenName), 200))
	})
	sealFail("seal-replaced", "the token replaced by another valid token of the trusted TSA over the same signature", "HASH_FAILURE", func(b *bundle) {
		b.set(manifest.TokenName, g.p.stamp(b.get(manifest.SignatureName), tokenSpec{serial: 99}))
	})
	sealFail("seal-removed", "the only token removed", "SIGNED_DATA_NOT_FOUND", func(b *bundle) { b.remove(manifest.TokenName) })
	sealFail("seal-added", "a second valid token added", "HASH_FAILURE", func(b *bundle) {
		b.insertBefore("META-INF/custody/0001.json", entry{manifest.TokenEntryName(1), g.p.stamp(b.get(manifest.SignatureName), tokenSpec{serial: 98})})
	})
	two := g.p.export(g.dir("two-for-swap"), exportOptions{tokens: []tokenSpec{{}, {serial: 77}}})
	swapped := two.clone()
	t1, t2 := swapped.get(manifest.TokenEntryName(0)), swapped.get(manifest.TokenEntryName(1))
	swapped.set(manifest.TokenEntryName(0), t2)
	swapped.set(manifest.TokenEntryName(1), t1)
	g.bundleVector("token/seal-swapped", swapped, failed("bundle-format.md §6, the token seal", "two tokens swapped", "token.seal", "HASH_FAILURE").withSigner("signer.pub"))

	// Without the seal (bundles sealed before 2026-12-03): the rules alone.
	unsealed := func(name, desc string, spec tokenSpec, e expectation) {
		b := g.p.export(g.dir("unsealed-"+name), exportOptions{tokens: []tokenSpec{spec}})
		m := b.manifest()
		m.CustodyLog = false
		b.reseal(m)
		e.Rule, e.Description = "bundle-format.md §6", desc+" (no custody log: the token's bytes are covered by no signature of ours)"
		if e.Verdict != Passed {
			e = e.at(1)
		}
		g.bundleVector("token/unsealed-"+name, b, e.withSigner("signer.pub"))
	}
	unsealed("plain", "an ordinary token", tokenSpec{}, expectation{Verdict: Passed})
	unsealed("granted-with-mods", "status grantedWithMods", tokenSpec{status: seq(small(1))}, ind("token.format", "FORMAT_FAILURE"))
	unsealed("certs-duplicated", "the TSA certificate carried twice", tokenSpec{certs: []*cert{g.p.tsa, g.p.tsa}}, ind("token.certificates", "FORMAT_FAILURE"))
	unsealed("certs-off-path", "a certificate off the TSA's path", tokenSpec{certs: []*cert{g.p.tsa, g.p.strangerRoot}}, ind("token.certificates", "FORMAT_FAILURE"))
	unsealed("unsigned-attribute", "the SignerInfo carries an unsigned attribute (certValues), outside the TSA's signature", tokenSpec{certValues: g.p.root}, ind("token.format", "FORMAT_FAILURE"))
	unsealed("certs-with-root", "the root carried too (on the path)", tokenSpec{certs: []*cert{g.p.tsa, g.p.root}}, expectation{Verdict: Passed})
}

// replaceImprint swaps the hashedMessage of a TSTInfo for sum.
func replaceImprint(tst, sum []byte) []byte {
	// The imprint is the only 32-byte OCTET STRING of the TSTInfo.
	marker := []byte{tagOctetString, 32}
	for i := 0; i+34 <= len(tst); i++ {
		if tst[i] == marker[0] && tst[i+1] == marker[1] {
			out := append([]byte(nil), tst...)
			copy(out[i+2:], sum)
			return out
		}
	}
	panic("vectorgen: no imprint")
}

func (g *generator) custodyLog() {
	const rule = "custody-log.md"
	logged := g.base.clone()
	logged.appendEvent(g.p.other, custodylog.Event{Action: custodylog.Transferred, Note: "Entregado al perito", Actor: custodylog.Actor{Name: "Perito", Role: "expert"}}, &tokenSpec{genTime: exportTime.Add(24 * 60 * 60e9)})
	logged.appendEvent(g.p.signer, custodylog.Event{Action: custodylog.Received, Note: "", Actor: custodylog.Actor{Name: "Dra. Vectores", Role: "clinician"}}, nil)
	g.resignedValid(logged)
	g.malformedEvents(logged)
	g.laterVersionEvents(logged)
	g.bundleVector("valid/custody-log", logged, passed(rule, "three events: sealed; transferred by an expert, timestamped; received by the clinician"))

	ev := func(name, desc, check string, index int, sub string, edit func(b *bundle)) {
		b := logged.clone()
		edit(b)
		g.bundleVector("custody/"+name, b, failed(rule, desc, check, sub).withSigner("signer.pub").at(index))
	}
	// Event 1 is the token seal: checked first, as token seal.
	ev("event-1-edited", "event 1's action changed after signing", "token.seal", 0, "SIG_CRYPTO_FAILURE", func(b *bundle) {
		n := custodylog.EntryName(1, custodylog.PartEvent)
		b.set(n, replaceOnce(b.get(n), `"note":""`, `"note":"x"`))
	})
	ev("event-1-sig-flipped", "one bit of event 1's signature changed", "token.seal", 0, "SIG_CRYPTO_FAILURE", func(b *bundle) {
		n := custodylog.EntryName(1, custodylog.PartSignature)
		b.set(n, flipped(b.get(n), 10))
	})
	for seq := 2; seq <= 3; seq++ {
		n := custodylog.EntryName(seq, custodylog.PartEvent)
		ev("event-"+itoa(seq)+"-edited", "event "+itoa(seq)+"'s note changed after signing", "custody.event", seq, "SIG_CRYPTO_FAILURE", func(b *bundle) {
			b.set(n, replaceOnce(b.get(n), `"note":"`, `"note":"x`))
		})
		s := custodylog.EntryName(seq, custodylog.PartSignature)
		ev("event-"+itoa(seq)+"-sig-flipped", "one bit of event "+itoa(seq)+"'s signature changed", "custody.event", seq, "SIG_CRYPTO_FAILURE", func(b *bundle) {
			b.set(s, flipped(b.get(s), 10))
		})
	}
	ev("event-2-token-flipped", "one bit of event 2's token changed", "custody.event", 3, "HASH_FAILURE", func(b *bundle) {
		n := custodylog.EntryName(2, custodylog.PartToken)
		b.set(n, flipped(b.get(n), 300))
	})
	ev("event-2-token-removed", "event 2's token removed", "custody.event", 2, "SIGNED_DATA_NOT_FOUND", func(b *bundle) {
		b.remove(custodylog.EntryName(2, custodylog.PartToken))
	})
	ev("event-3-removed-middle", "event 2 removed whole, event 3 kept", "custody.log", 0, "HASH_FAILURE", func(b *bundle) { dropEvent(b, 2) })
	ev("log-removed", "the whole log removed while the manifest declares custody_log", "custody.log", 0, "HASH_FAILURE", func(b *bundle) { b.dropEventsFrom(1) })

	// Event 1 restarted by someone else.
	restart := g.base.clone()
	restart.dropEventsFrom(1)
	rec, err := logwriter.First(context.Background(), custodylog.Event{Time: custodylog.FormatTime(exportTime), Action: custodylog.Sealed,
		Actor: custodylog.Actor{Name: "Otro", Role: "clinician"}}, restart.get(manifest.SignatureName), [][]byte{restart.get(manifest.TokenName)}, restart.actor(g.p.other, nil))
	must(err)
	for _, f := range rec.Files() {
		restart.entries = append(restart.entries, entry{f.Name, f.Data})
	}
	g.bundleVector("custody/event-1-other-actor", restart, failed(rule, "the log removed and started again by another key", "token.seal", "SIG_CRYPTO_FAILURE").withSigner("signer.pub"))

	// Time rules.
	timed := func(name, desc string, at string, stamp *tokenSpec, e expectation) {
		b := g.base.clone()
		b.appendEvent(g.p.other, custodylog.Event{Time: at, Action: custodylog.Received, Note: "x", Actor: custodylog.Actor{Name: "Perito", Role: "expert"}}, stamp)
		e.Rule, e.Description = "custody-log.md, time rules", desc
		g.bundleVector("custody/"+name, b, e.withSigner("signer.pub"))
	}
	timed("time-before-seal", "event 2 claims a time before the manifest's genTime", "2026-11-30T10:00:00Z", nil, indeterminate("", "", "custody.time", "TIMESTAMP_ORDER_FAILURE").at(2))
	timed("time-after-own-token", "event 2 claims a time a day after its own trusted token's genTime: post-dated", "2026-12-03T10:00:00Z", &tokenSpec{genTime: exportTime.Add(24 * 60 * 60e9)}, indeterminate("", "", "custody.time", "TIMESTAMP_ORDER_FAILURE").at(2))
	backwards := logged.clone()
	backwards.appendEvent(g.p.signer, custodylog.Event{Time: "2026-12-01T12:00:00Z", Action: custodylog.Reviewed, Note: "x", Actor: custodylog.Actor{Name: "Dra. Vectores", Role: "clinician"}}, nil)
	e := indeterminate("custody-log.md, time rules", "event 4 claims a time before event 3's claim: the claims run backwards against the chain", "custody.time", "TIMESTAMP_ORDER_FAILURE")
	g.bundleVector("custody/time-backwards", backwards, e.withSigner("signer.pub").at(4))
	timed("time-within-skew", "event 2 claims a time 4 minutes after its token's genTime (within the 5 minutes allowed)", "2026-12-02T10:04:00Z", &tokenSpec{genTime: exportTime.Add(24 * 60 * 60e9)}, passed("", ""))
	timed("event-token-untrusted", "event 2's token from a TSA the verifier does not trust: INFO", "2026-12-02T10:00:00Z", &tokenSpec{tsa: g.p.strangerTSA, genTime: exportTime.Add(24 * 60 * 60e9)}, passed("", ""))
	timed("event-token-other-data", "event 2's token (the last event's, committed by no later event) has an imprint over other data: it does not verify, and proves nothing", "2026-12-02T10:00:00Z",
		&tokenSpec{genTime: exportTime.Add(24 * 60 * 60e9), hashed: sum32("other data")}, indeterminate("", "", "custody.timestamp", "HASH_FAILURE").at(2))
	g.custodyForms(logged)
	timed("event-token-before-seal", "event 2's token's genTime a day before the manifest's: event 1, which event 2 commits to, then claims a time after a proof that it existed", "2026-11-30T10:00:00Z", &tokenSpec{genTime: exportTime.Add(-24 * 60 * 60e9)}, indeterminate("", "", "custody.time", "TIMESTAMP_ORDER_FAILURE").at(1))
}

// dropEvent removes event seq's entries.
func dropEvent(b *bundle, seq int) {
	for _, part := range []string{custodylog.PartEvent, custodylog.PartSignature, custodylog.PartKey, custodylog.PartToken} {
		if b.find(custodylog.EntryName(seq, part)) >= 0 {
			b.remove(custodylog.EntryName(seq, part))
		}
	}
}

func (g *generator) consistency() {
	const rule = "bundle-format.md §10.5"
	older := g.p.export(g.dir("older"), exportOptions{conv: truncate(3)})
	olderPath := g.dir("older-file") + "/older.custody"
	must(writeFile(olderPath, older.zip()))
	newer := g.p.export(g.dir("newer"), exportOptions{disclosure: custody.Disclosure{Extends: olderPath}})
	g.bundleVector("consistency/older", older, passed(rule, "the first three messages, exported alone"))
	e := passed(rule, "the whole conversation, exported later with --extends older: consistent with it")
	e.ConsistentWith = "older"
	g.bundleVector("consistency/newer", newer, e)
	g.bundleVector("valid/consistency-proof", newer, passed(rule, "a bundle carrying a consistency proof, verified alone"))

	proof := func(name, desc string, edit func(m *manifest.Manifest)) {
		g.bundleVector("consistency/"+name, g.sealed(newer, edit), failed(rule, desc, "disclosure", "HASH_FAILURE").withSigner("signer.pub"))
	}
	proof("proof-root-wrong", "the consistency record's root changed", func(m *manifest.Manifest) { m.Consistency[0].Root = m.Tree.Root })
	proof("proof-hash-wrong", "a hash of the proof changed", func(m *manifest.Manifest) { m.Consistency[0].Proof[0] = m.Tree.Root })
	proof("proof-short", "the proof's last hash removed", func(m *manifest.Manifest) {
		m.Consistency[0].Proof = m.Consistency[0].Proof[:len(m.Consistency[0].Proof)-1]
	})
	proof("proof-size-wrong", "the consistency size changed", func(m *manifest.Manifest) { m.Consistency[0].Size = 2 })
	g.bundleVector("consistency/equal-size-empty-proof", g.sealed(newer, func(m *manifest.Manifest) {
		m.Consistency = []manifest.Consistency{{Size: m.Tree.Size, Root: m.Tree.Root, Proof: []string{}}}
	}), passed(rule, "a consistency record from the same size and root, with an empty proof: the trees are equal"))

	edited := g.p.export(g.dir("edited-newer"), exportOptions{conv: editText(1, "Le envío la analítica (editado).")})
	ce := failed(rule, "a later export whose second message differs from the older bundle's", "consistency", "INCONSISTENT").withSigner("signer.pub")
	ce.ConsistentWith = "older"
	g.bundleVector("consistency/edited-message", edited, ce)
	stranger := g.p.export(g.dir("stranger-newer"), exportOptions{key: g.p.other})
	se := indeterminate(rule, "a later export sealed by another key than the older one, with no key named for each: anyone holding a key can seal a conversation that begins like another", "consistency", "SIG_CONSTRAINTS_FAILURE")
	se.ConsistentWith = "older"
	g.bundleVector("consistency/other-signer", stranger, se)
}
