//go:build js && wasm

// Command wasm is the web verifier's WebAssembly: the bridge between the
// page's JavaScript and internal/webverify. It defines these functions on
// the page's global object, each returning a Promise:
//
//	custodyVerify(file, trustPEM, signer) → JSON of webverify.Result
//	custodyEntry(file, path)              → Uint8Array of a sealed file
//	custodyReport(file, trustPEM, signer, wasmSHA256, unixMillis)
//	                                      → Uint8Array of the report PDF
//	custodyCompareRecord(file)            → JSON of webverify.ComparedRecord
//	custodyComparePagesAhead(file)        → JSON of webverify.ComparedPages
//	custodyComparePDFPages(file, which)   → JSON of verify.Check
//
// and custodyMemory(), the bytes of memory the WebAssembly holds.
//
// The page runs this WebAssembly twice: in the page, and in a Web Worker
// (web/site/worker.js), a second instance on a second core. While the
// page's instance hashes the sealed files, the worker's compares
// record.pdf with a fresh rendering (custodyCompareRecord, which the
// page's instance asks for through the page's custodyElsewhere as a
// verification starts, and takes as verify.Options.CompareRecord). In a
// standalone PDF, the worker then compares the visible pages under the
// seal that the embedded bundle states (custodyComparePagesAhead), while
// the page's instance still verifies the bundle, which establishes that
// seal; verify.Options.ComparePDFPages takes that check if the seal
// established prints the same, and otherwise has the worker compare the
// pages again under it (custodyComparePDFPages). Without a worker the
// page's instance compares them itself, with the same result.
//
// file is the browser's File (or Blob): it is read in slices, on demand,
// never whole (a bundle of hundreds of megabytes verifies in the page), and
// never leaves the page. Built by scripts/build-web.
package main

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
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
	js.Global().Set("custodyComparePagesAhead", promised(comparePagesAhead))
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
	res := webverify.Verify(file, file.size, input(file, args))
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
	in := input(file, args)
	at := time.UnixMilli(int64(args[4].Float()))
	pdf, err := webverify.Report(file, file.size, in, buildinfo.String("custody web verifier"), args[3].String(), at)
	if err != nil {
		return nil, err
	}
	return bytesToJS(pdf), nil
}

// input is the form that custodyVerify and custodyReport receive as
// (file, trustPEM, signer, ...); file reads args[0]. The worker starts
// comparing record.pdf at once and then, in a standalone PDF, its pages.
func input(file *fileReader, args []js.Value) webverify.Input {
	record := elsewhere("custodyCompareRecord", args[0])
	var pages js.Value // undefined: not asked ahead
	if verify.IsPDF(file) {
		pages = after(record, func() js.Value { return elsewhere("custodyComparePagesAhead", args[0]) })
	}
	return webverify.Input{
		Name:            args[0].Get("name").String(),
		TrustPEM:        []byte(args[1].String()),
		Signer:          args[2].String(),
		SHA256:          newSHA256(),
		DigestRange:     newDigestRange(),
		CompareRecord:   compareElsewhere(record),
		ComparePDFPages: comparePagesElsewhere(args[0], pages),
	}
}

// elsewhere has the page's worker run fn(args...) (the page's
// custodyElsewhere): its Promise, or undefined when the page has no
// worker.
func elsewhere(fn string, args ...any) js.Value {
	start := js.Global().Get("custodyElsewhere")
	if start.Type() != js.TypeFunction {
		return js.Undefined()
	}
	return start.Invoke(append([]any{fn}, args...)...)
}

// after runs next once promise settles (fulfilled or rejected), and
// returns next's Promise: the worker compares one thing at a time, the
// first one asked for first.
func after(promise js.Value, next func() js.Value) js.Value {
	if promise.IsUndefined() {
		return js.Undefined()
	}
	var then js.Func
	then = js.FuncOf(func(js.Value, []js.Value) any {
		then.Release()
		return next()
	})
	started := promise.Call("then", then, then)
	started.Call("catch", ignore) // when it is never asked for
	return started
}

// ignore is a rejection's handler that does nothing.
var ignore = js.FuncOf(func(js.Value, []js.Value) any { return nil })

// compareRecord is custodyCompareRecord(file): what the worker runs, a
// JSON webverify.ComparedRecord.
var compareRecord = withFile("custodyCompareRecord", func(file *fileReader) (webverify.ComparedRecord, error) {
	return webverify.CompareRecord(file, file.size, newSHA256())
})

// comparePagesAhead is custodyComparePagesAhead(file): what the worker
// runs for a standalone PDF once it has compared record.pdf, a JSON
// webverify.ComparedPages.
var comparePagesAhead = withFile("custodyComparePagesAhead", func(file *fileReader) (webverify.ComparedPages, error) {
	return webverify.ComparePagesAhead(file, file.size, newSHA256())
})

// withFile is the worker's function name(file), which gives what
// compare finds in the file in JSON.
func withFile[T any](name string, compare func(*fileReader) (T, error)) func([]js.Value) (any, error) {
	return func(args []js.Value) (any, error) {
		if len(args) != 1 {
			return nil, fmt.Errorf("%s(file): %d arguments", name, len(args))
		}
		compared, err := compare(newFileReader(args[0]))
		if err != nil {
			return nil, err
		}
		res, err := json.Marshal(compared)
		return string(res), err
	}
}

// compareElsewhere is verify.Options.CompareRecord for the comparison
// started, which the page's worker began as the verification started
// (custodyCompareRecord), while this instance checks the container, the
// manifest and the files: it hands the worker's outcome over if the worker
// compared the bundle verified here. nil when the page has no worker;
// then, or when the worker fails, verify compares record.pdf here.
func compareElsewhere(started js.Value) func(verify.RecordRendering) (verify.RenderingOutcome, error) {
	if started.IsUndefined() {
		return nil
	}
	return func(which verify.RecordRendering) (verify.RenderingOutcome, error) {
		compared, err := awaitJSON[webverify.ComparedRecord](started)
		if err != nil {
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
// check that the page's worker made ahead (custodyComparePagesAhead, the
// Promise ahead) if it is the one asked for, or else the one it makes
// when asked (custodyComparePDFPages); nil without a worker.
func comparePagesElsewhere(file, ahead js.Value) func(verify.PagesRendering) (verify.Check, error) {
	if js.Global().Get("custodyElsewhere").Type() != js.TypeFunction {
		return nil
	}
	return func(which verify.PagesRendering) (verify.Check, error) {
		if !ahead.IsUndefined() {
			if check, err := pagesComparedAhead(ahead, which); err == nil {
				return check, nil
			}
		}
		req, err := json.Marshal(which)
		if err != nil {
			return verify.Check{}, err
		}
		started := elsewhere("custodyComparePDFPages", file, string(req))
		if started.IsUndefined() {
			return verify.Check{}, errors.New("the page's worker stopped")
		}
		return awaitJSON[verify.Check](started)
	}
}

// pagesComparedAhead is the worker's check made ahead, if it compared the
// pages under which.
func pagesComparedAhead(ahead js.Value, which verify.PagesRendering) (verify.Check, error) {
	compared, err := awaitJSON[webverify.ComparedPages](ahead)
	if err != nil {
		return verify.Check{}, err
	}
	return compared.For(which)
}

// awaitJSON waits for a worker's Promise (custodyElsewhere) and decodes
// the JSON it gives, as withFile encodes it.
func awaitJSON[T any](promise js.Value) (T, error) {
	var out T
	res, err := await(promise)
	if err != nil {
		return out, err
	}
	err = json.Unmarshal([]byte(res.String()), &out)
	return out, err
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
