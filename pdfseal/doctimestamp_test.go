package pdfseal

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/internal/pdfread"
)

func renewPDF(t *testing.T, pdf []byte, opts RenewOptions) []byte {
	t.Helper()
	var out bytes.Buffer
	if _, err := AddDocumentTimestamp(t.Context(), &out, bytes.NewReader(pdf), int64(len(pdf)), opts); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestDocumentTimestampStore: a renewal stores what the store lacks, once:
// revocation data given, and the certificates of earlier document
// timestamps (their TSA's); data already there is not stored again, and
// with nothing to add there is no store update.
func TestDocumentTimestampStore(t *testing.T) {
	url, tsaCert := testTSAWithCert(t, exportTime.Add(time.Minute))
	crl := []byte("a DER CRL")
	signed := seal(t, render(t, "renewal"), bundle(t, []byte("payload")), Options{Signer: signerOf(t, signers(t)["ECDSA-P256"], nil),
		Timestamper: tsaClient(url), Time: exportTime, ValidationCRLs: [][]byte{crl}})
	otherURL, otherCert := testTSAWithCert(t, exportTime.Add(time.Hour))
	once := renewPDF(t, signed, RenewOptions{Timestamper: tsaClient(otherURL), CRLs: [][]byte{crl}})
	_, signedCat, _ := readDSS(t, signed)
	_, onceCat, _ := readDSS(t, once)
	if !bytes.HasPrefix(once, signed) || signedCat["DSS"] != onceCat["DSS"] {
		t.Error("a renewal with nothing new to store wrote a store update, or changed the signed bytes")
	}
	if bytes.Contains(once, otherCert.Raw) {
		t.Error("the renewal's TSA certificate is stored before its timestamp")
	}
	twice := renewPDF(t, once, RenewOptions{Timestamper: tsaClient(url), OCSPs: [][]byte{[]byte("a DER OCSP response")}})
	f, cat, dss := readDSS(t, twice)
	// The signer's and the TSA's certificates were stored at export; the
	// first renewal's TSA's before the second.
	want := map[pdfread.Name]int{"Certs": 3, "CRLs": 1, "OCSPs": 1}
	for key, n := range want {
		items, _ := f.Array(dss[key], string(key))
		if len(items) != n {
			t.Errorf("/DSS /%s has %d entries, want %d", key, len(items), n)
		}
	}
	if bytes.Count(twice, tsaCert.Raw) != 1 || bytes.Count(twice, otherCert.Raw) != 1 {
		t.Error("the TSAs' certificates are not stored once each")
	}
	form, _ := f.Dict(cat["AcroForm"], "/AcroForm")
	if fields, _ := f.Array(form["Fields"], "/Fields"); len(fields) != 3 || !bytes.Contains(twice, []byte("/T (DocTimeStamp2)")) {
		t.Errorf("/AcroForm /Fields %v", form["Fields"])
	}
}

// TestDocumentTimestampLargerThanReserved: a token that does not fit the
// room reserved is asked for again with room for it.
func TestDocumentTimestampLargerThanReserved(t *testing.T) {
	saved := docTimestampReserve
	docTimestampReserve = 64
	defer func() { docTimestampReserve = saved }()
	url := testTSA(t, exportTime)
	signed := seal(t, render(t, "renewal"), bundle(t, []byte("payload")), Options{Signer: signerOf(t, signers(t)["ECDSA-P256"], nil), Timestamper: tsaClient(url), Time: exportTime})
	renewed := renewPDF(t, signed, RenewOptions{Timestamper: tsaClient(url)})
	f, cat, _ := readDSS(t, renewed)
	form, _ := f.Dict(cat["AcroForm"], "/AcroForm")
	fields, _ := f.Array(form["Fields"], "/Fields")
	field, _ := f.Dict(fields[len(fields)-1], "the last field")
	v, _ := f.Dict(field["V"], "its value")
	contents, _ := v["Contents"].(pdfread.String)
	if token := bytes.TrimRight(contents.Bytes, "\x00"); len(token) <= 64 || len(tokenCertificates(token)) == 0 {
		t.Errorf("the document timestamp's /Contents holds %d bytes, not a token larger than the room first reserved", len(token))
	}
}

// TestDocumentTimestampRefused: a PDF that is not a signed standalone PDF
// in the exporter's structure is refused, naming why.
func TestDocumentTimestampRefused(t *testing.T) {
	url := testTSA(t, exportTime)
	for name, tc := range map[string]struct {
		pdf  []byte
		want string
	}{
		"not a PDF": {[]byte("not a PDF at all"), "reading the PDF"},
		"unsigned":  {render(t, "unsigned"), "the PDF is not signed"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := AddDocumentTimestamp(t.Context(), &bytes.Buffer{}, bytes.NewReader(tc.pdf), int64(len(tc.pdf)), RenewOptions{Timestamper: tsaClient(url)})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
