// Package web is the web verifier: a static page that verifies custody
// files in the browser, offline, with the same verify package as
// custody-verify compiled to WebAssembly. Nothing is uploaded: the page
// reads the dropped File in slices and makes no network request after it
// loads (its Content-Security-Policy forbids them).
//
//   - site/: the page (index.html, style.css, app.js); every string from a
//     verified file is set as text, never as HTML; site/worker.js: the Web
//     Worker that runs a second instance of the WebAssembly, so that
//     record.pdf's (and a standalone PDF's pages') re-rendering runs on a
//     second core beside the hashing; site/digest.js: the SHA-256 and
//     CRC-32 of a bundle's large sealed files, read straight from the
//     File (wasm/digest.go), by site/digester.js, two Web Workers that
//     read it synchronously and hash two files at once while the page's
//     instance goes on (verify asks for the next files' digests ahead:
//     verify/digestahead.go); site/vendor/hash-wasm: the streaming
//     SHA-256 of files over 128 MiB (wasm/sha256.go) and the digesters'
//     CRC-32, vendored; app.js warms the WebAssembly up on a small
//     bundle (testdata/vectors/v2) while a person chooses a file, so that
//     the browser has optimised it before a large one;
//   - wasm/: the bridge between the page and internal/webverify, which
//     holds what the page runs (verdict in plain words, messages,
//     attachments checked against the seal before they are shown);
//   - scripts/build-web assembles the site reproducibly, the WebAssembly
//     embedded so that it works from file://.
//
// The tests drive the built page in headless Chromium (Debian's chromium,
// with chromedp) and headless Firefox (Debian's firefox-esr, through its
// Marionette protocol); each skips without its browser.
package web
