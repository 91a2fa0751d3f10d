// The web verifier's page: loads the Go verifier (WebAssembly, embedded in
// verifier-wasm.js so that the page works from file://), hands it the
// dropped File, and shows its result. Every string that comes from the
// verified file is put in the page as text (textContent), never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];
const MESSAGES_PER_PAGE = 1000;
let currentFile = null;

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function setState(state, message) {
  document.body.dataset.state = state;
  $("status").textContent = message || "";
}

function base64ToBytes(b64) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

// checkWasmHash recomputes the SHA-256 of the WebAssembly this page runs,
// so that the hash shown is the one of the bytes loaded, not only a claim.
async function checkWasmHash(bytes) {
  $("wasm-sha256").textContent = CUSTODY_WASM.sha256;
  if (!(window.crypto && crypto.subtle)) {
    $("wasm-check").textContent = "(this browser cannot recompute it here)";
    return;
  }
  const got = hex(await crypto.subtle.digest("SHA-256", bytes));
  $("wasm-check").textContent = got === CUSTODY_WASM.sha256
    ? "(recomputed in this page: matches)"
    : "(recomputed in this page: " + got + ", DOES NOT MATCH)";
}

// startWorker starts the verifier's second instance in a Web Worker
// (worker.js), which compares record.pdf with a fresh rendering on another
// core while this page's instance hashes the sealed files (and, in a
// standalone PDF, the visible pages while it hashes what the PDF's
// signature covers): the verifier asks for them through
// custodyElsewhere(function, ...arguments). Without workers, or if the
// worker fails, the page's instance compares them itself: the same
// result, one core.
function startWorker(module, bytes) {
  let worker;
  try {
    const source = new Blob([base64ToBytes(CUSTODY_WORKER.base64)], { type: "text/javascript" });
    worker = new Worker(URL.createObjectURL(source));
  } catch (e) {
    console.log("custody: no Web Worker (" + e + "): one core");
    return;
  }
  try {
    worker.postMessage({ wasm: module });
  } catch (e) {
    worker.postMessage({ wasm: bytes }); // a browser that cannot send a compiled module
  }
  const pending = new Map();
  let next = 0;
  worker.onmessage = (e) => {
    const p = pending.get(e.data.id);
    pending.delete(e.data.id);
    if (e.data.error === undefined) {
      custodyWorker.compared++;
      p.resolve(e.data.out);
    } else {
      p.reject(new Error(e.data.error));
    }
  };
  worker.onerror = (e) => {
    console.log("custody: the worker failed (" + e.message + "): one core");
    delete window.custodyElsewhere;
    for (const p of pending.values()) p.reject(new Error("the worker failed: " + e.message));
    pending.clear();
  };
  window.custodyElsewhere = (fn, ...args) => {
    const compared = new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, fn, args });
    });
    compared.catch(() => {}); // a verification that stops early never asks for it
    return compared;
  };
}

// startDigesters starts the digesters (digester.js): Web Workers that
// hash the bundle's large files straight from the File, two at once, while
// this page's instance goes on checking (digest.js). Without them, the
// files are hashed in this page.
function startDigesters() {
  try {
    const source = new Blob([base64ToBytes(CUSTODY_DIGESTER.base64)], { type: "text/javascript" });
    custodyDigest.startWorkers(URL.createObjectURL(source), 2);
  } catch (e) {
    console.log("custody: no digesters (" + e + "): files hashed in this page");
  }
}

// custodyWorker counts the comparisons the worker made (the tests read it).
window.custodyWorker = { compared: 0 };

async function start() {
  try {
    const bytes = base64ToBytes(CUSTODY_WASM.base64);
    await checkWasmHash(bytes);
    const go = new Go();
    const { module, instance } = await WebAssembly.instantiate(bytes, go.importObject);
    go.run(instance);
    startWorker(module, bytes);
    startDigesters();
    $("version").textContent = CUSTODY_WASM.version;
    setState("ready", "Ready: choose or drop a file.");
    warmUp();
  } catch (e) {
    setState("broken", "The verifier cannot run in this browser: " + e);
  }
}

// warmUp verifies a small genuine bundle built into the page
// (testdata/vectors/v2/sample.custody: verifier-warmup.js) a few times as
// the page opens, while a person chooses a file. The browser compiles the
// WebAssembly once, quickly, then again, optimised, the functions a
// verification keeps running, as they run: on the first large bundle
// that second compilation took about 1.2 s of a core, and a second of
// the verification's time (docs/performance.md, "The web verifier:
// digesters, reads ahead, warmed up"). It stops at a verification's
// start, and at the latest after WARM_UP_MS;
// body[data-warm] says where it is ("warming", "done"). Nothing of it is
// shown or kept.
const WARM_UP_RUNS = 20;
const WARM_UP_MS = 3000;
let verifying = false;

async function warmUp() {
  if (typeof CUSTODY_WARMUP === "undefined") return;
  document.body.dataset.warm = "warming";
  const file = new File([base64ToBytes(CUSTODY_WARMUP.base64)], "warm-up.custody");
  const until = performance.now() + WARM_UP_MS;
  for (let i = 0; i < WARM_UP_RUNS && !verifying && performance.now() < until; i++) {
    try {
      await custodyVerify(file, "", "");
    } catch (e) {
      break;
    }
  }
  document.body.dataset.warm = "done";
}

async function trustText() {
  let text = $("trust").value;
  for (const f of $("trustfiles").files) text += "\n" + (await f.text());
  return text;
}

// signerText is the expected signer: the text field, or else the public
// key file chosen.
async function signerText() {
  const typed = $("signer").value.trim();
  if (typed) return typed;
  const f = $("signerfile").files[0];
  return f ? await f.text() : "";
}

// downloadReport has the verifier write the verification report PDF of
// the file just verified (the same report as custody-verify --report).
async function downloadReport() {
  if (!currentFile) return;
  $("report-status").textContent = "Writing the report…";
  try {
    const pdf = await custodyReport(currentFile, await trustText(), await signerText(), CUSTODY_WASM.sha256, Date.now());
    download(pdf, currentFile.name.replace(/\.[^.]*$/, "") + "-verification.pdf", "application/pdf");
    $("report-status").textContent = "";
  } catch (e) {
    $("report-status").textContent = "The report could not be written: " + e.message;
  }
}

async function verify() {
  if (!currentFile || document.body.dataset.state === "loading") return;
  $("result").hidden = true;
  setState("verifying", "Verifying " + currentFile.name + " (" + currentFile.size + " bytes)…");
  const started = performance.now();
  verifying = true;
  try {
    const res = JSON.parse(await custodyVerify(currentFile, await trustText(), await signerText()));
    show(res);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    setState("done", "Verified in " + seconds + " s, in this page.");
  } catch (e) {
    setState("done", "The verification stopped: " + e.message);
  } finally {
    verifying = false;
  }
}

function show(res) {
  const v = res.verdict;
  $("verdict").dataset.result = v.result || "NONE";
  $("verdict").dataset.exitCode = v.exit_code;
  $("headline").textContent = (v.result ? v.result + ": " : "") + v.headline;
  $("detail").textContent = v.detail;
  const rep = res.report;
  for (const id of ["facts", "withheld", "timeline", "messages"]) $(id).replaceChildren();
  $("checks").tBodies[0].replaceChildren();
  $("messages-note").textContent = "";
  if (rep) {
    showFacts(rep);
    showWithheld(rep);
    showTimeline(rep);
    showChecks(rep.checks);
    showMessages(res.messages || [], res.messages_note);
  }
  $("result").hidden = false;
}

function fact(term, value) {
  $("facts").append(el("dt", term), el("dd", value));
}

function utc(t) {
  return t.replace("T", " ").replace("Z", " UTC");
}

function showFacts(rep) {
  fact("File", rep.file);
  if (rep.signer && rep.signer.fingerprint) {
    fact("Sealed by the key", rep.signer.fingerprint + " (" + rep.signer.algorithm + ")");
    fact("Signer identity", rep.signer.identity_checked
      ? "checked: the expected key"
      : "NOT checked: give the expected signer above");
  }
  for (const ts of rep.timestamps || []) {
    fact("Time proven", utc(ts.time) + " by " + ts.tsa + (ts.trusted ? " (trusted)" : " (NOT trusted: no trust anchor for it)"));
  }
  if (rep.format) {
    fact("Messages", rep.messages + " of " + rep.total_messages + ", " + rep.attachments + " attachments");
    fact("Exported", rep.export_id + " at " + rep.exported_at);
    fact("Manifest SHA-256", rep.manifest_sha256);
  }
}

function showWithheld(rep) {
  const d = rep.disclosure;
  $("withheld-section").hidden = !d;
  if (!d) return;
  if (!d.withheld.length) {
    $("withheld").textContent = "Nothing: all " + d.total + " messages of the conversation are disclosed.";
    return;
  }
  const runs = d.withheld.map((r) => r.from === r.to ? "" + (r.from + 1) : (r.from + 1) + "–" + (r.to + 1));
  $("withheld").textContent = (d.total - d.disclosed) + " of " + d.total +
    " messages were left out (positions " + runs.join(", ") +
    "). Their content is not here, but the seal accounts for them: none can be added or removed unseen.";
}

function showTimeline(rep) {
  const events = rep.custody || [];
  $("timeline-section").hidden = !events.length;
  for (const e of events) {
    const who = (e.actor.name || "(no name)") + (e.actor.role ? " (" + e.actor.role + ")" : "");
    const li = el("li", "#" + e.seq + " " + utc(e.time) + " — " + e.action + " — " + who);
    li.append(el("div", "key " + e.actor.fingerprint + (e.recognised ? ", recognised as " + e.known_as : ""), "meta"));
    if (e.timestamp) li.append(el("div", "time proven " + utc(e.timestamp.time) + " by " + e.timestamp.tsa, "meta"));
    if (e.note) li.append(el("div", "note: " + e.note, "meta"));
    $("timeline").append(li);
  }
}

function showChecks(checks) {
  const body = $("checks").tBodies[0];
  for (const c of checks) {
    const tr = el("tr");
    tr.append(el("td", c.status, c.status), el("td", c.name), el("td", c.detail), el("td", c.sub_indication || ""));
    body.append(tr);
  }
}

function showMessages(messages, note) {
  $("messages-note").textContent = note || (messages.length + " sealed messages, in order.");
  let shown = 0;
  const more = el("button", "Show more messages");
  more.type = "button";
  const page = () => {
    for (const m of messages.slice(shown, shown + MESSAGES_PER_PAGE)) $("messages").append(messageItem(m));
    shown += MESSAGES_PER_PAGE;
    if (shown < messages.length) $("messages").append(more); else more.remove();
  };
  more.onclick = () => { more.remove(); page(); };
  page();
}

function messageItem(m) {
  const li = el("li");
  li.append(el("div", (m.time ? utc(m.time) : "") + " — " + m.from + " — " + m.id, "meta"));
  if (!m.intact) li.append(el("div", "This message does not match its seal (altered).", "broken"));
  li.append(el("div", m.text, "text"));
  for (const a of m.attachments || []) li.append(attachmentItem(a));
  return li;
}

function attachmentItem(a) {
  const div = el("div", "", "meta");
  const label = (a.name || a.path || "attachment") + (a.type ? " (" + a.type + ", " + a.size + " bytes)" : "");
  if (a.missing || !a.path) {
    div.textContent = "📎 " + label + ": not in the export (missing from the source)";
    return div;
  }
  div.textContent = "📎 " + label + " ";
  const image = IMAGE_TYPES.includes(a.type);
  const button = el("button", image ? "Show" : "Download");
  button.type = "button";
  button.onclick = async () => {
    try {
      const bytes = await custodyEntry(currentFile, a.path);
      if (image) {
        const img = el("img");
        img.alt = a.name || a.path;
        img.src = URL.createObjectURL(new Blob([bytes], { type: a.type }));
        div.replaceChildren(el("span", "📎 " + label), img);
      } else {
        download(bytes, a.name || a.path.split("/").pop());
      }
    } catch (e) {
      div.append(el("span", " " + e.message, "broken"));
    }
  };
  div.append(button);
  return div;
}

function download(bytes, name, type) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([bytes], { type: type || "application/octet-stream" }));
  a.download = name.replace(/[\\/:*?"<>|\x00-\x1f]/g, "_");
  a.click();
}

function choose(file) {
  if (!file) return;
  currentFile = file;
  $("filename").textContent = file.name;
  verify();
}

$("file").addEventListener("change", () => choose($("file").files[0]));
$("form").addEventListener("submit", (e) => { e.preventDefault(); verify(); });
$("report").addEventListener("click", downloadReport);
const drop = $("drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  choose(e.dataTransfer.files[0]);
});
start();
