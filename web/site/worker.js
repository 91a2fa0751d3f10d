// The verifier's second WebAssembly instance, in a Web Worker: a page's
// WebAssembly runs on one thread, so the page has this worker compare
// record.pdf with a fresh rendering (custodyCompareRecord), and a
// standalone PDF's pages (custodyComparePagesAhead, or custodyComparePDFPages
// under the seal the page established), on another core while its own
// instance checks and hashes (web/wasm/main.go). The page builds the
// worker from a Blob of memfs.js, wasm_exec.js, hash-wasm and this file
// (scripts/build-web: verifier-worker.js; a page on file:// cannot load a
// worker's script by URL), and sends it the compiled WebAssembly, then one
// message a comparison: {id, fn, args} → {id, out} or {id, error}, fn
// being one of the functions below.
"use strict";

let ready = null;
// stopped rejects if the worker's Go program ends (a fatal error, out of
// memory): a comparison under way then fails, and the page compares
// itself, instead of waiting for ever.
let stopped = null;
const functions = ["custodyCompareRecord", "custodyComparePagesAhead", "custodyComparePDFPages"];

async function startVerifier(module) {
  const go = new Go();
  const instance = module instanceof WebAssembly.Module
    ? await WebAssembly.instantiate(module, go.importObject)
    : (await WebAssembly.instantiate(module, go.importObject)).instance;
  stopped = go.run(instance).then(() => {
    throw new Error("the worker's verifier stopped");
  });
  stopped.catch(() => {});
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
    postMessage({ id: msg.id, out: await Promise.race([self[msg.fn](...msg.args), stopped]) });
  } catch (err) {
    postMessage({ id: msg.id, error: String((err && err.message) || err) });
  }
};
