// Measures the web verifier outside a browser: runs a built site's
// WebAssembly (scripts/build-web) under Node, which has the same engine as
// Chromium (V8) and Web Crypto, on a file read in slices as the page reads
// a dropped File (fs.openAsBlob). Its CPU time, unlike a browser's wall
// time, can be measured on a loaded machine (docs/performance.md):
//
//   /usr/bin/time -f '%U user %S sys' node web/measure-node.mjs SITE BUNDLE ROOT.pem
//
// Or the worker's rendering comparison alone, N times in one instance (the
// first runs warm V8's optimised code up, as the page's warm-up does),
// printing each run's wall and CPU time, the last one profiled by V8 into
// PROFILE (a .cpuprofile, which DevTools opens; function names need a site
// built with CUSTODY_WEB_SYMBOLS=1):
//
//   node web/measure-node.mjs SITE BUNDLE --compare-record N [PROFILE]
import fs from "node:fs";
import vm from "node:vm";
import inspector from "node:inspector/promises";
const [site, bundle, rootPEM, runs, profile] = process.argv.slice(2);
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
if (rootPEM === "--compare-record") {
  await compareRecord(+runs, profile);
  process.exit(0);
}
const t = performance.now();
const res = JSON.parse(await custodyVerify(blob, fs.readFileSync(rootPEM, "utf8"), ""));
console.log(res.verdict.result, ((performance.now() - t) / 1000).toFixed(1), "s wall");
process.exit(0);

async function compareRecord(n, profile) {
  const session = new inspector.Session();
  session.connect();
  for (let i = 1; i <= n; i++) {
    const profiled = profile && i === n;
    if (profiled) {
      await session.post("Profiler.enable");
      await session.post("Profiler.start");
    }
    const cpu = process.cpuUsage(), t = performance.now();
    const res = JSON.parse(await custodyCompareRecord(blob));
    const used = process.cpuUsage(cpu);
    console.log(`run ${i}: ${res.outcome?.status ?? JSON.stringify(res).slice(0, 80)}, ${((performance.now() - t) / 1000).toFixed(2)} s wall, ${((used.user + used.system) / 1e6).toFixed(2)} s CPU`);
    if (profiled) fs.writeFileSync(profile, JSON.stringify((await session.post("Profiler.stop")).profile));
  }
}
