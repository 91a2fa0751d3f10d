//go:build js && wasm

// Command wasm is the web verifier's WebAssembly: the bridge between the
// page's JavaScript and internal/webverify. It defines two functions on
// the page's global object, each returning a Promise:
//
//	custodyVerify(file, trustPEM, signer) → JSON of webverify.Result
//	custodyEntry(file, path)              → Uint8Array of a sealed file
//	custodyReport(file, trustPEM, signer, wasmSHA256, unixMillis)
//	                                      → Uint8Array of the report PDF
//	custodyCompareRecord(file)            → JSON of webverify.ComparedRecord
//	custodyComparePDFPages(file, which)   → JSON of verify.Check
//
// and custodyMemory(), the bytes of memory the WebAssembly holds.
//
// The page runs this WebAssembly twice: in the page, and in a Web Worker
// (web/site/worker.js), a second instance on a second core. While the
// page's instance hashes the sealed files, the worker's compares
// record.pdf with a fresh rendering (custodyCompareRecord, which the
// page's instance asks for through the page's custodyElsewhere as a
// verification starts, and takes as verify.Options.CompareRecord); in a
// standalone PDF, the worker also compares the visible pages
// (custodyComparePDFPages: verify.Options.ComparePDFPages) while the
// page's instance hashes what the PDF's signature covers. Without a
// worker the page's instance compares them itself, with the same result.
//
// file is the browser's File (or Blob): it is read in slices, on demand,
// never whole (a bundle of hundreds of megabytes verifies in the page), and
// never leaves the page. Built by scripts/build-web.
package main

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"hash"
	"runtime"
	"syscall/js"
	"time"

	"github.com/custody-toolkit/custody/internal/buildinfo"
	"github.com/custody-toolkit/custody/internal/webverify"
	"github.com/custody-toolkit/custody/pdf"
	"github.com/custody-toolkit/custody/verify"
)

func main() {
	pdf.ContentSHA256 = contentSHA256
	js.Global().Set("custodyVerify", promised(verifyFile))
	js.Global().Set("custodyEntry", promised(entry))
	js.Global().Set("custodyReport", promised(report))
	js.Global().Set("custodyCompareRecord", promised(compareRecord))
	js.Global().Set("custodyComparePDFPages", promised(comparePDFPages))
	js.Global().Set("custodyVersion", buildinfo.Current())
	js.Global().Set("custodyMemory", js.FuncOf(memory))
	select {} // serve the page's calls until it closes
}

// contentSHA256 is pdf.ContentSHA256 for the page: the renderings hold
// each photo to its attachment with the page's SHA-256 (newSHA256).
func contentSHA256(size int64) hash.Hash {
	if newHash := newSHA256(); newHash != nil {
		return newHash(size)
	}
	return sha256.New()
}

// memory is the memory the WebAssembly took from the browser, in bytes
// (its linear memory never shrinks): what TestPageLarge reports.
func memory(js.Value, []js.Value) any {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.Sys)
}

func verifyFile(args []js.Value) (any, error) {
	if len(args) != 3 {
		return nil, fmt.Errorf("custodyVerify(file, trustPEM, signer): %d arguments", len(args))
	}
	file := newFileReader(args[0])
	res := webverify.Verify(file, file.size, input(args))
	out, err := json.Marshal(res)
	if err != nil {
		return nil, err
	}
	return string(out), nil
}

func entry(args []js.Value) (any, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("custodyEntry(file, path): %d arguments", len(args))
	}
	file := newFileReader(args[0])
	data, err := webverify.Entry(file, file.size, args[1].String())
	if err != nil {
		return nil, err
	}
	return bytesToJS(data), nil
}

func report(args []js.Value) (any, error) {
	if len(args) != 5 {
		return nil, fmt.Errorf("custodyReport(file, trustPEM, signer, wasmSHA256, unixMillis): %d arguments", len(args))
	}
	file := newFileReader(args[0])
	in := input(args)
	at := time.UnixMilli(int64(args[4].Float()))
	pdf, err := webverify.Report(file, file.size, in, buildinfo.String("custody web verifier"), args[3].String(), at)
	if err != nil {
		return nil, err
	}
	return bytesToJS(pdf), nil
}

// input is the form that custodyVerify and custodyReport receive as
// (file, trustPEM, signer, ...).
func input(args []js.Value) webverify.Input {
	return webverify.Input{
		Name:            args[0].Get("name").String(),
		TrustPEM:        []byte(args[1].String()),
		Signer:          args[2].String(),
		SHA256:          newSHA256(),
		DigestRange:     newDigestRange(),
		CompareRecord:   compareElsewhere(args[0]),
		ComparePDFPages: comparePagesElsewhere(args[0]),
	}
}

// compareRecord is custodyCompareRecord(file): what the worker runs, a
// JSON webverify.ComparedRecord.
func compareRecord(args []js.Value) (any, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("custodyCompareRecord(file): %d arguments", len(args))
	}
	file := newFileReader(args[0])
	compared, err := webverify.CompareRecord(file, file.size, newSHA256())
	if err != nil {
		return nil, err
	}
	res, err := json.Marshal(compared)
	return string(res), err
}

// compareElsewhere is verify.Options.CompareRecord for file: it has the
// page's worker start comparing file's record.pdf at once
// (custodyElsewhere("custodyCompareRecord", file)), while this instance checks the container, the manifest and the
// files, and hands its outcome over if the worker compared the bundle
// verified here. nil when the page has no worker; then, or when the
// worker fails, verify compares record.pdf here.
func compareElsewhere(file js.Value) func(verify.RecordRendering) (verify.RenderingOutcome, error) {
	elsewhere := js.Global().Get("custodyElsewhere")
	if elsewhere.Type() != js.TypeFunction {
		return nil
	}
	started := elsewhere.Invoke("custodyCompareRecord", file)
	return func(which verify.RecordRendering) (verify.RenderingOutcome, error) {
		res, err := await(started)
		if err != nil {
			return verify.RenderingOutcome{}, err
		}
		var compared webverify.ComparedRecord
		if err := json.Unmarshal([]byte(res.String()), &compared); err != nil {
			return verify.RenderingOutcome{}, err
		}
		return compared.For(which)
	}
}

// comparePDFPages is custodyComparePDFPages(file, which): what the worker
// runs for a standalone PDF; which is a verify.PagesRendering, in JSON.
func comparePDFPages(args []js.Value) (any, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("custodyComparePDFPages(file, which): %d arguments", len(args))
	}
	var which verify.PagesRendering
	if err := json.Unmarshal([]byte(args[1].String()), &which); err != nil {
		return nil, err
	}
	file := newFileReader(args[0])
	check, err := verify.ComparePDFPages(file, file.size, which, verify.Options{SHA256: newSHA256()})
	if err != nil {
		return nil, err
	}
	res, err := json.Marshal(check)
	return string(res), err
}

// comparePagesElsewhere is verify.Options.ComparePDFPages for file: the
// page's worker makes the check (custodyComparePDFPages); nil without a
// worker.
func comparePagesElsewhere(file js.Value) func(verify.PagesRendering) (verify.Check, error) {
	elsewhere := js.Global().Get("custodyElsewhere")
	if elsewhere.Type() != js.TypeFunction {
		return nil
	}
	return func(which verify.PagesRendering) (verify.Check, error) {
		var check verify.Check
		req, err := json.Marshal(which)
		if err != nil {
			return check, err
		}
		res, err := await(elsewhere.Invoke("custodyComparePDFPages", file, string(req)))
		if err != nil {
			return check, err
		}
		err = json.Unmarshal([]byte(res.String()), &check)
		return check, err
	}
}
func bytesToJS(data []byte) js.Value {
	arr := js.Global().Get("Uint8Array").New(len(data))
	js.CopyBytesToJS(arr, data)
	return arr
}

// promised wraps f as a JavaScript function returning a Promise; f runs
// in its own goroutine, which may wait for the File's own promises (Go's
// scheduler yields to the browser's event loop meanwhile).
func promised(f func([]js.Value) (any, error)) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) any {
		var handler js.Func
		handler = js.FuncOf(func(_ js.Value, pargs []js.Value) any {
			resolve, reject := pargs[0], pargs[1]
			go func() {
				defer handler.Release()
				defer func() {
					if p := recover(); p != nil {
						reject.Invoke(js.Global().Get("Error").New(fmt.Sprint("internal error: ", p)))
					}
				}()
				v, err := f(args)
				if err != nil {
					reject.Invoke(js.Global().Get("Error").New(err.Error()))
					return
				}
				resolve.Invoke(v)
			}()
			return nil
		})
		return js.Global().Get("Promise").New(handler)
	})
}
