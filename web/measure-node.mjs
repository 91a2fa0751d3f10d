// Measures the web verifier outside a browser: runs a built site's
// WebAssembly (scripts/build-web) under Node, which has the same engine as
// Chromium (V8) and Web Crypto, on a file read in slices as the page reads
// a dropped File (fs.openAsBlob). Its CPU time, unlike a browser's wall
// time, can be measured on a loaded machine (docs/performance.md):
//
//   /usr/bin/time -f '%U user %S sys' node web/measure-node.mjs SITE BUNDLE ROOT.pem
import fs from "node:fs";
import vm from "node:vm";
const [site, bundle, rootPEM] = process.argv.slice(2);
globalThis.window = globalThis;
// The page's scripts, in its order (a site built before hash-wasm has none).
for (const f of ["memfs.js", "wasm_exec.js", "vendor/hash-wasm/sha256.umd.min.js", "verifier-wasm.js"]) {
  if (fs.existsSync(site + "/" + f)) vm.runInThisContext(fs.readFileSync(site + "/" + f, "utf8").replace("const CUSTODY_WASM", "globalThis.CUSTODY_WASM"));
}
const bytes = Buffer.from(CUSTODY_WASM.base64, "base64");
const go = new Go();
const { instance } = await WebAssembly.instantiate(bytes, go.importObject);
go.run(instance);
const blob = await fs.openAsBlob(bundle);
blob.name = bundle;
const t = performance.now();
const res = JSON.parse(await custodyVerify(blob, fs.readFileSync(rootPEM, "utf8"), ""));
console.log(res.verdict.result, ((performance.now() - t) / 1000).toFixed(1), "s wall");
process.exit(0);
