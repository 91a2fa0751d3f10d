package main

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"

	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/pdfseal"
	"github.com/custody-toolkit/custody/tsa"
	"github.com/custody-toolkit/custody/verify"
)

// sealPages is custody.WritePDF with the rendered pages changed by edit
// before they are signed: the PDF a tool would make that added a
// revision of its own under the signature.
func (g *generator) sealPages(b *bundle, edit func(pages []byte) []byte) []byte {
	data := b.zip()
	rep, err := verify.Bundle(bytes.NewReader(data), int64(len(data)), verify.Options{})
	must(err)
	zb, err := manifest.OpenBundle(bytes.NewReader(data), int64(len(data)))
	must(err)
	var pages bytes.Buffer
	must(verify.StandaloneRenderingAs(&pages, zb, rep, "case.custody", "custody-pdf/3"))
	ts := g.newPDFTSA()
	defer ts.srv.Close()
	var out bytes.Buffer
	must(pdfseal.Seal(context.Background(), &out, edit(pages.Bytes()), bytes.NewReader(data), int64(len(data)), pdfseal.Options{
		Signer: signerOf(g.p.signer), Timestamper: &tsa.Client{URL: ts.srv.URL}, Time: exportTime, BundleName: "case.custody",
		Reason: "Sealed clinical conversation " + rep.ExportID,
	}))
	return ts.withoutNonce(out.Bytes())
}

var (
	startxrefRE = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
	sizeRE      = regexp.MustCompile(`/Size\s+(\d+)`)
	rootRE      = regexp.MustCompile(`/Root\s+(\d+ \d+ R)`)
)

// free, as the definition of an object, frees it.
const free = "(free)"

// incrementalUpdate appends to pdf a revision defining objs (number →
// the dictionary or stream after "N 0 obj", free, or atOffset), with a classic xref section
// and a trailer linked by /Prev, as PDF tools write updates.
func incrementalUpdate(pdf []byte, objs map[int]string) []byte {
	prev := startxrefRE.FindSubmatch(pdf)
	size, _ := strconv.Atoi(string(sizeRE.FindAllSubmatch(pdf, -1)[len(sizeRE.FindAllSubmatch(pdf, -1))-1][1]))
	root := rootRE.FindAllSubmatch(pdf, -1)
	out := bytes.NewBuffer(append([]byte(nil), pdf...))
	var nums []int
	for n := range objs {
		nums = append(nums, n)
		size = max(size, n+1)
	}
	sort.Ints(nums)
	offsets := map[int]int{}
	for _, n := range nums {
		if objs[n] == free {
			continue
		}
		if m := atOffsetRE.FindStringSubmatch(objs[n]); m != nil {
			offsets[n], _ = strconv.Atoi(m[1])
			continue
		}
		offsets[n] = out.Len()
		fmt.Fprintf(out, "%d 0 obj\n%s\nendobj\n", n, objs[n])
	}
	xref := out.Len()
	out.WriteString("xref\n0 1\n0000000000 65535 f \n")
	for _, n := range nums {
		if objs[n] == free {
			fmt.Fprintf(out, "%d 1\n0000000000 00001 f \n", n)
			continue
		}
		fmt.Fprintf(out, "%d 1\n%010d 00000 n \n", n, offsets[n])
	}
	fmt.Fprintf(out, "trailer\n<< /Size %d /Root %s /Prev %s >>\nstartxref\n%d\n%%%%EOF\n", size, root[len(root)-1][1], prev[1], xref)
	return out.Bytes()
}

// revisions: standalone PDFs whose signed bytes hold a revision of their
// own after the rendering (§7.2, The pages).
func (g *generator) revisions() {
	const rule = "bundle-format.md §7.2, the pages"
	added := g.sealPages(g.base, func(p []byte) []byte {
		return incrementalUpdate(p, map[int]string{900: "<< /Note (an object added by an update) >>"})
	})
	g.add("valid/standalone-update-adds-object", ".pdf", added, passed(rule, "an incremental update before the signature that only adds a new object"))
	page := g.sealPages(g.base, func(p []byte) []byte {
		return incrementalUpdate(p, map[int]string{5: "<< /Type /Page /Parent 2 0 R /Resources 4 0 R /Contents 6 0 R /Rotate 180 >>"})
	})
	g.add("pdf/update-redefines-page", ".pdf", page, failed(rule, "an incremental update, signed with the rest, redefines the first page (turned upside down)", "pdf.rendering", "RENDERING_MISMATCH").withSigner("signer.pub"))
	content := g.sealPages(g.base, func(p []byte) []byte {
		return incrementalUpdate(p, map[int]string{6: "<< /Length 44 >>\nstream\nBT /F1 24 Tf 100 700 Td (Todo en orden) Tj ET\nendstream"})
	})
	g.add("pdf/update-redefines-content", ".pdf", content, failed(rule, "an incremental update, signed with the rest, replaces the first page's content stream", "pdf.rendering", "RENDERING_MISMATCH").withSigner("signer.pub"))
	freed := g.sealPages(g.base, func(p []byte) []byte { return incrementalUpdate(p, map[int]string{6: free}) })
	g.add("pdf/update-frees-object", ".pdf", freed, failed(rule, "an incremental update, signed with the rest, frees the first page's content stream", "pdf.rendering", "RENDERING_MISMATCH").withSigner("signer.pub"))
	catalog := g.sealPages(g.base, func(p []byte) []byte {
		return incrementalUpdate(p, map[int]string{1: "<< /Type /Catalog /Pages 2 0 R /OpenAction 900 0 R >>", 900: "[5 0 R /Fit]"})
	})
	g.add("pdf/update-catalog-open-action", ".pdf", catalog, failed(rule, "an incremental update before the signature redefines the catalog with an /OpenAction, which the signed catalog keeps", "pdf.rendering", "RENDERING_MISMATCH").withSigner("signer.pub"))
}
