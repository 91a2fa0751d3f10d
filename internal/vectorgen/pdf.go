package main

import (
	"bytes"
	"context"
	"crypto"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/cms"
	"github.com/custody-toolkit/custody/tsa"
)

// standalone writes the standalone PDF of b, signed by key, its signature
// timestamped by the vectors' TSA over HTTP (the only way the PDF sealer
// asks for a token).
func (g *generator) standalone(name string, b *bundle, key crypto.Signer) []byte {
	dir := g.dir("pdf-" + name)
	in := filepath.Join(dir, "case.custody")
	must(writeFile(in, b.zip()))
	ts := g.newPDFTSA()
	defer ts.srv.Close()
	out := filepath.Join(dir, "case.pdf")
	must(custody.WritePDF(context.Background(), in, custody.PDFOptions{Out: out, Signer: signerOf(key), Timestamper: &tsa.Client{URL: ts.srv.URL}, Time: exportTime,
		Renderer: "custody-pdf/3"}))
	data, err := os.ReadFile(out)
	must(err)
	return ts.withoutNonce(data)
}

// pdfTSA serves the vectors' TSA over HTTP, the only way the PDF sealer
// asks for a token, and keeps its last answer with and without the
// sealer's nonce.
type pdfTSA struct {
	srv             *httptest.Server
	answered, fixed []byte
}

func (g *generator) newPDFTSA() *pdfTSA {
	t := &pdfTSA{}
	t.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, _ := io.ReadAll(r.Body)
		t.answered, t.fixed = g.p.stampRequest(req)
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.Write(t.answered)
	}))
	return t
}

func (t *pdfTSA) withoutNonce(pdf []byte) []byte {
	return withoutNonce(pdf, tokenOf(t.answered), tokenOf(t.fixed))
}

// withoutNonce replaces, in the CMS of the PDF's /Contents, the signature
// timestamp token the TSA answered (which carries the PDF sealer's random
// nonce) by the same token without a nonce: the PDF is then the same on
// every run. The token is an unsigned attribute, outside the byte range
// and the CMS signature; its imprint, over the signature value, holds.
func withoutNonce(pdf, old, new []byte) []byte {
	start := bytes.Index(pdf, []byte("/Contents<")) + len("/Contents<")
	end := start + bytes.IndexByte(pdf[start:], '>')
	der, err := hex.DecodeString(string(pdf[start:end]))
	must(err)
	cms, _ := element(der)
	swapped := replaceElement(cms, old, new)
	if bytes.Equal(swapped, cms) || len(swapped) > len(der) {
		panic("vectorgen: the PDF's timestamp token was not replaced")
	}
	out := append([]byte(nil), pdf...)
	hexed := []byte(hex.EncodeToString(append(swapped, make([]byte, len(der)-len(swapped))...)))
	copy(out[start:end], hexed)
	return out
}

// tokenOf is the TimeStampToken of a TimeStampResp.
func tokenOf(resp []byte) []byte {
	_, at := element(resp)
	status, _ := element(resp[at:])
	tok, _ := element(resp[at+len(status):])
	return tok
}

func (g *generator) pdfs() {
	const rule = "bundle-format.md §7.2"
	pdf := g.standalone("valid", g.base, g.p.signer)
	g.add("valid/standalone", ".pdf", pdf, passed(rule, "the standalone PDF of the whole bundle, signed by the sealing key"))
	add := func(name, desc string, data []byte, check, sub string) {
		g.add("pdf/"+name, ".pdf", data, failed(rule, desc, check, sub).withSigner("signer.pub"))
	}
	add("appended", "bytes appended after the signed revision", append(append([]byte(nil), pdf...), []byte("\n%x\n")...), "pdf.byte-range", "HASH_FAILURE")
	i := bytes.Index(pdf, []byte("/Contents<")) + len("/Contents<") + 100
	c := append([]byte(nil), pdf...)
	c[i] = hexFlip(c[i])
	add("contents-flipped", "one hex digit of the CMS in /Contents changed, in its eContentType: not the CMS the writer writes", c, "pdf.signature", "FORMAT_FAILURE")
	add("signature-value-flipped", "one hex digit of the CMS signature value in /Contents changed", flipSignatureValue(pdf), "pdf.signature", "SIG_CRYPTO_FAILURE")
	j := bytes.Index(pdf, []byte("/Type /Page")) + 2
	p := append([]byte(nil), pdf...)
	p[j] ^= 0x20
	add("page-byte-flipped", "one byte of the signed first revision changed", p, "pdf.signature", "SIG_CRYPTO_FAILURE")
	k := bytes.Index(pdf, []byte("Buenos d"))
	emb := append([]byte(nil), pdf...)
	emb[k] = 'b'
	add("embedded-bundle-edited", "one letter of a message inside the embedded bundle changed (its ZIP CRC left as it was): the bundle, checked first, fails at its files", emb, "files", "HASH_FAILURE")
	other := g.standalone("other", g.base, g.p.other)
	add("other-signer", "the PDF signed by another key than the bundle's sealing key", other, "pdf.signer", "UNEXPECTED_SIGNER")
	g.add("pdf/plain", ".pdf", plainPDF, expectation{Rule: "bundle-format.md §1.1", Description: "a PDF without an embedded custody bundle: not a custody file", Verdict: NotCustody})
}

func hexFlip(c byte) byte {
	if c == '0' {
		return '1'
	}
	return '0'
}

// plainPDF is a minimal one-page PDF.
var plainPDF = []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>\nendobj\nxref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n0000000115 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n188\n%%EOF\n")

// flipSignatureValue changes one hex digit of the signature value in the
// PDF's /Contents.
func flipSignatureValue(pdf []byte) []byte {
	start, end := contentsSpan(pdf)
	der, err := hex.DecodeString(string(pdf[start:end]))
	must(err)
	full, _ := element(der)
	sd, err := cms.ParseDetached(full, "the PDF signature")
	must(err)
	at := start + bytes.Index(pdf[start:end], []byte(hex.EncodeToString(sd.SignerInfos[0].Signature))) + 10
	out := bytes.Clone(pdf)
	out[at] = hexFlip(out[at])
	return out
}
