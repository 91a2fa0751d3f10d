package pdfseal

import (
	"bytes"
	"crypto/x509"
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"github.com/custody-toolkit/custody/internal/cms"
)

// Document describes the export for the PDF's document information
// dictionary and its XMP metadata stream, which readers and archives show
// and index. Both are written from these fields alone (no clock, no random
// identifier), so the same export gives the same bytes.
type Document struct {
	Title    string    // the conversation's title
	Author   string    // the clinician(s) who sealed it
	ExportID string    // the bundle's export_id
	Created  time.Time // the bundle's exported_at (default: Options.Time)
}

// infoDict is the document information dictionary (ISO 32000-1 §14.3.3):
// the trailer's /Info of the signed update, replacing the rendering's.
func infoDict(d Document, modified time.Time) string {
	var b strings.Builder
	b.WriteString("<<")
	for _, f := range []struct{ key, v string }{
		{"Title", d.Title}, {"Author", d.Author}, {"Subject", subject(d)}, {"Keywords", d.ExportID},
		{"Creator", "custody"}, {"Producer", "custody"},
	} {
		if f.v != "" {
			fmt.Fprintf(&b, " /%s %s", f.key, pdfText(f.v))
		}
	}
	fmt.Fprintf(&b, " /CreationDate %s /ModDate %s >>", pdfLiteral(pdfDate(created(d, modified))), pdfLiteral(pdfDate(modified)))
	return b.String()
}

func subject(d Document) string {
	if d.ExportID == "" {
		return "Sealed clinical conversation"
	}
	return "Sealed clinical conversation, export " + d.ExportID
}

func created(d Document, modified time.Time) time.Time {
	if d.Created.IsZero() {
		return modified
	}
	return d.Created
}

// xmpPacket is the catalog's /Metadata: the same facts as infoDict in XMP
// (ISO 16684-1), which PDF 2.0 and PDF/A readers take over /Info.
func xmpPacket(d Document, modified time.Time) []byte {
	esc := func(s string) string {
		var b bytes.Buffer
		xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	xmpDate := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
	var b strings.Builder
	b.WriteString("<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n" +
		"<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n" +
		"<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n" +
		"<dc:format>application/pdf</dc:format>\n")
	if d.Title != "" {
		fmt.Fprintf(&b, "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">%s</rdf:li></rdf:Alt></dc:title>\n", esc(d.Title))
	}
	if d.Author != "" {
		fmt.Fprintf(&b, "<dc:creator><rdf:Seq><rdf:li>%s</rdf:li></rdf:Seq></dc:creator>\n", esc(d.Author))
	}
	fmt.Fprintf(&b, "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">%s</rdf:li></rdf:Alt></dc:description>\n", esc(subject(d)))
	if d.ExportID != "" {
		fmt.Fprintf(&b, "<dc:identifier>%s</dc:identifier>\n<pdf:Keywords>%s</pdf:Keywords>\n", esc(d.ExportID), esc(d.ExportID))
	}
	fmt.Fprintf(&b, "<xmp:CreateDate>%s</xmp:CreateDate>\n<xmp:ModifyDate>%s</xmp:ModifyDate>\n<xmp:MetadataDate>%s</xmp:MetadataDate>\n",
		xmpDate(created(d, modified)), xmpDate(modified), xmpDate(modified))
	b.WriteString("<xmp:CreatorTool>custody</xmp:CreatorTool>\n<pdf:Producer>custody</pdf:Producer>\n" +
		"</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"r\"?>")
	return []byte(b.String())
}

// ResponseCertificates are the certificates an RFC 3161 TimeStampResp
// (DER, as a bundle stores it) carries in its token, for
// Options.ValidationCertificates: a bundle's timestamps were most often
// made by the TSA that stamps the PDF signature, whose certificates are
// then in the document security store from the first signing. Nil when
// resp cannot be read.
func ResponseCertificates(resp []byte) [][]byte { return cms.ResponseCertificates(resp) }

// tokenCertificates are the certificates a timestamp token carries (its
// TSA's, with certReq), for the document security store.
func tokenCertificates(token []byte) [][]byte {
	sd, err := cms.Parse(token)
	if err != nil {
		return nil // the timestamper checked it; nothing to add then
	}
	return sd.Certificates
}

// dssCertificates are the signer's chain then extra, each once.
func dssCertificates(chain []*x509.Certificate, extra ...[][]byte) [][]byte {
	var out [][]byte
	add := func(raw []byte) {
		for _, c := range out {
			if bytes.Equal(c, raw) {
				return
			}
		}
		out = append(out, raw)
	}
	for _, c := range chain {
		add(c.Raw)
	}
	for _, e := range extra {
		for _, raw := range e {
			add(raw)
		}
	}
	return out
}

// lacks tells whether some of certs are not in have.
func lacks(have, certs [][]byte) bool {
	return len(dssCertificates(nil, have, certs)) > len(have)
}
