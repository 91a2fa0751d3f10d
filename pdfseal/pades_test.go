package pdfseal

import (
	"bytes"
	"context"
	"encoding/asn1"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/internal/cms"
	"github.com/custody-toolkit/custody/internal/pdfread"
	"github.com/custody-toolkit/custody/tsa"
)

// TestSealPAdES checks the signature as PAdES baseline B-LT, as readers
// see it: pdfsig names the ETSI subfilter and finds it valid, qpdf finds
// no error and lists the signature field, OpenSSL accepts the CMS over the
// signed ranges, and the CMS has signing-certificate-v2, no signing-time
// and the signature timestamp; the catalog has the document security store
// with the signer's and the TSA's certificates, and the XMP metadata; the
// first page lists the widget in /Annots; the document information names
// the export.
func TestSealPAdES(t *testing.T) {
	tool(t, "qpdf")
	tool(t, "pdfsig")
	tool(t, "openssl")
	rendered := render(t, "PAdES")
	bndl := bundle(t, []byte("payload"))
	url, tsaCert := testTSAWithCert(t, exportTime.Add(time.Minute))
	doc := Document{Title: "Seguimiento <neumonía> & co", Author: "Dra. María García", ExportID: "x-20261201-0123", Created: exportTime.Add(-time.Hour)}
	signed := seal(t, rendered, bndl, Options{Signer: signerOf(t, signers(t)["ECDSA-P256"], nil), Timestamper: tsaClient(url), Time: exportTime, Document: doc})
	p := write(t, signed)

	out, _ := run(t, "pdfsig", p)
	if !strings.Contains(out, "Signature Type: ETSI.CAdES.detached") || !strings.Contains(out, "Signature is Valid.") {
		t.Errorf("pdfsig:\n%s", out)
	}
	if out, err := run(t, "qpdf", "--check", p); err != nil || !strings.Contains(out, "No syntax or stream encoding errors") || strings.Contains(out, "WARNING") {
		t.Errorf("qpdf --check: %v\n%s", err, out)
	}
	if out, err := run(t, "qpdf", "--json", "--json-key=acroform", p); err != nil || !strings.Contains(out, `"fullname": "Signature1"`) || !strings.Contains(out, `"pageposfrom1": 1`) {
		t.Errorf("qpdf does not list the signature field on page 1: %v\n%s", err, out)
	}

	span := contentsSpan(t, signed)
	dir := t.TempDir()
	content, cmsPath := filepath.Join(dir, "signed.bin"), filepath.Join(dir, "sig.der")
	os.WriteFile(content, append(bytes.Clone(signed[:span[0]]), signed[span[1]:]...), 0o600)
	padded, err := hex.DecodeString(string(signed[span[0]+1 : span[1]-1]))
	if err != nil {
		t.Fatal(err)
	}
	var raw asn1.RawValue
	if _, err := asn1.Unmarshal(padded, &raw); err != nil {
		t.Fatal(err)
	}
	der := raw.FullBytes
	os.WriteFile(cmsPath, der, 0o600)
	if out, err := run(t, "openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", cmsPath, "-content", content, "-noverify", "-out", os.DevNull); err != nil || !strings.Contains(out, "Verification successful") {
		t.Errorf("openssl cms -verify: %v\n%s", err, out)
	}

	sd, err := cms.ParseDetached(der, "test")
	if err != nil {
		t.Fatal(err)
	}
	si := &sd.SignerInfos[0]
	for _, a := range []struct {
		oid  asn1.ObjectIdentifier
		want bool
	}{{cms.OIDSigningCertV2, true}, {cms.OIDSigningTime, false}} {
		if _, found, _ := si.Attribute(a.oid); found != a.want {
			t.Errorf("signed attribute %s present: %v, want %v", a.oid, found, a.want)
		}
	}
	if len(si.Unsigned) != 1 || !si.Unsigned[0].Type.Equal(cms.OIDSignatureTimeStampToken) {
		t.Errorf("unsigned attributes: want the signature timestamp alone")
	}

	f, cat, dss := readDSS(t, signed)
	certs, _ := f.Array(dss["Certs"], "/Certs")
	var found [][]byte
	for _, c := range certs {
		s, _ := f.Get(c.(pdfread.Ref))
		st := s.(*pdfread.Stream)
		found = append(found, signed[st.Offset:st.Offset+st.Length])
	}
	if len(found) != 2 || !bytes.Equal(found[0], sd.Certificates[0]) || !bytes.Equal(found[1], tsaCert.Raw) {
		t.Errorf("/DSS /Certs holds %d certificates; want the signer's then the TSA's", len(found))
	}
	meta, _ := f.Get(cat["Metadata"].(pdfread.Ref))
	ms := meta.(*pdfread.Stream)
	xmp := string(signed[ms.Offset : ms.Offset+ms.Length])
	for _, want := range []string{"Seguimiento &lt;neumonía&gt; &amp; co", "Dra. María García", "x-20261201-0123", "<xmp:CreateDate>2026-11-25T09:30:00Z", "<xmp:ModifyDate>2026-11-25T10:30:00Z"} {
		if !strings.Contains(xmp, want) {
			t.Errorf("XMP lacks %q:\n%s", want, xmp)
		}
	}
	info, _ := f.Dict(f.Trailer["Info"], "/Info")
	if a, _ := info["Author"].(pdfread.String); !strings.Contains(hex.EncodeToString(a.Bytes), hex.EncodeToString([]byte{0, 'G', 0, 'a'})) {
		t.Errorf("/Info /Author: %v", info["Author"])
	}
	if d, _ := info["CreationDate"].(pdfread.String); string(d.Bytes) != "D:20261125093000Z" {
		t.Errorf("/Info /CreationDate: %q", d.Bytes)
	}
	if !regexp.MustCompile(`/Annots \[\d+ 0 R\]`).Match(signed[len(rendered):]) {
		t.Errorf("the first page is not written again with the widget in /Annots")
	}
}

// countingStamper counts the timestamps asked for.
type countingStamper struct {
	Timestamper
	n int
}

func (c *countingStamper) Stamp(ctx context.Context, data []byte) (*tsa.Stamp, error) {
	c.n++
	return c.Timestamper.Stamp(ctx, data)
}

// TestSealDSSTimestamps: the TSA's certificates are known only from a
// token, and the store is signed: without them in ValidationCertificates
// the update is signed again (two timestamps), with them once.
func TestSealDSSTimestamps(t *testing.T) {
	rendered := render(t, "DSS")
	bndl := bundle(t, []byte("payload"))
	url, tsaCert := testTSAWithCert(t, exportTime.Add(time.Minute))
	for _, tt := range []struct {
		name  string
		known [][]byte
		want  int
	}{{"TSA unknown", nil, 2}, {"TSA known", [][]byte{tsaCert.Raw}, 1}} {
		t.Run(tt.name, func(t *testing.T) {
			ts := &countingStamper{Timestamper: tsaClient(url)}
			signed := seal(t, rendered, bndl, Options{Signer: signerOf(t, signers(t)["ECDSA-P256"], nil), Timestamper: ts, Time: exportTime, ValidationCertificates: tt.known})
			if ts.n != tt.want {
				t.Errorf("%d timestamps, want %d", ts.n, tt.want)
			}
			// Raw in the store, once; hex in /Contents (the token's).
			if bytes.Count(signed, tsaCert.Raw) != 1 || !bytes.Contains(signed, []byte(hex.EncodeToString(tsaCert.Raw))) {
				t.Errorf("the TSA's certificate is not once in the store and in the token")
			}
		})
	}
}

// TestSealDSSRevocation: revocation data given goes into the store's
// /CRLs and /OCSPs, each as one stream, byte for byte (PAdES B-LT).
func TestSealDSSRevocation(t *testing.T) {
	rendered := render(t, "DSS revocation")
	url, tsaCert := testTSAWithCert(t, exportTime.Add(time.Minute))
	crl, resp := []byte("a DER CRL"), []byte("a DER OCSP response")
	signed := seal(t, rendered, bundle(t, []byte("payload")), Options{Signer: signerOf(t, signers(t)["ECDSA-P256"], nil), Timestamper: tsaClient(url), Time: exportTime,
		ValidationCertificates: [][]byte{tsaCert.Raw}, ValidationCRLs: [][]byte{crl}, ValidationOCSPs: [][]byte{resp}})
	f, _, dss := readDSS(t, signed)
	for key, want := range map[pdfread.Name][]byte{"CRLs": crl, "OCSPs": resp} {
		refs, err := f.Array(dss[key], string(key))
		if err != nil || len(refs) != 1 {
			t.Fatalf("/DSS /%s: %v, %d entries; want 1", key, err, len(refs))
		}
		s, _ := f.Get(refs[0].(pdfread.Ref))
		st := s.(*pdfread.Stream)
		if got := signed[st.Offset : st.Offset+st.Length]; !bytes.Equal(got, want) {
			t.Errorf("/DSS /%s holds %q, want %q", key, got, want)
		}
	}
}

// readDSS opens a signed PDF and returns its catalog and its document
// security store.
func readDSS(t *testing.T, signed []byte) (*pdfread.File, pdfread.Dict, pdfread.Dict) {
	t.Helper()
	f, err := pdfread.Open(bytes.NewReader(signed), int64(len(signed)))
	if err != nil {
		t.Fatal(err)
	}
	cat, _ := f.Dict(f.Trailer["Root"], "catalog")
	dss, err := f.Dict(cat["DSS"], "/DSS")
	if err != nil {
		t.Fatal(err)
	}
	return f, cat, dss
}
