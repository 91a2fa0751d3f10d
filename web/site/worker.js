// The verifier's second WebAssembly instance, in a Web Worker: a page's
// WebAssembly runs on one thread, so the page has this worker compare
// record.pdf with a fresh rendering (custodyCompareRecord) on another core
// while its own instance hashes the sealed files. The page builds the
// worker from a Blob of memfs.js, wasm_exec.js, hash-wasm and this file
// (scripts/build-web: verifier-worker.js; a page on file:// cannot load a
// worker's script by URL), and sends it the compiled WebAssembly, then one
// message a comparison: {id, fn, args} → {id, out} or {id, error}, fn
// being one of the functions below.
"use strict";

let ready = null;
const functions = ["custodyCompareRecord", "custodyComparePDFPages"];

async function startVerifier(module) {
  const go = new Go();
  const instance = module instanceof WebAssembly.Module
    ? await WebAssembly.instantiate(module, go.importObject)
    : (await WebAssembly.instantiate(module, go.importObject)).instance;
  go.run(instance);
}

self.onmessage = async (e) => {
  const msg = e.data;
  if (msg.wasm) {
    ready = startVerifier(msg.wasm);
    return;
  }
  try {
    await ready;
    if (!functions.includes(msg.fn)) throw new Error("no function " + msg.fn + " in the worker");
    postMessage({ id: msg.id, out: await self[msg.fn](...msg.args) });
  } catch (err) {
    postMessage({ id: msg.id, error: String((err && err.message) || err) });
  }
};
