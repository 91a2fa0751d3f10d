// A digester: a Web Worker that computes the SHA-256 and the CRC-32 of a
// byte range of a File, for the page's verifier (web/site/digest.js hands
// it the ranges that verify asks for: a bundle's large sealed files). The
// page runs two, so that two files are hashed at once on two cores while
// the page's own thread goes on with the verification; and a worker may
// read a File synchronously (FileReaderSync), a whole range in one call,
// where the page's thread reads it through a Promise a slice at a time
// (docs/performance.md, "The web verifier: digesters, reads ahead,
// warmed up").
//
// Message in: {id, file, offset, length, whole}. Out: {id, sha256:
// Uint8Array(32), crc: number} or {id, error}. whole: the range is read in
// one piece and Web Crypto digests it (native, not incremental: asked for
// only up to the verifier's bound, web/wasm/sha256.go); otherwise it
// streams through hash-wasm's SHA-256 in pieces of PIECE bytes. Or in:
// {id, file, offset, length, state}, a hash-wasm SHA-256's saved state,
// out: {id, state} once the range is hashed on from it (update).
//
// The CRC-32 is hash-wasm's (its C compiled to WebAssembly: about three
// times as fast as the same algorithm in JavaScript), used only once it
// gave the page's own CRC-32 (crc32.js) on a sample;
// the SHA-256 streamed through hash-wasm is used only once the verifier
// found it agrees with crypto/sha256 (it asks for a streamed range only
// then). A wrong CRC-32 would make genuine evidence INDETERMINATE, a
// wrong SHA-256 FAILED: neither is computed by code not checked first.
//
// Built by scripts/build-web into verifier-digester.js, after hash-wasm's
// sha256.umd.min.js and crc32.umd.min.js, and crc32.js.
"use strict";

const PIECE = 16 << 20;

const crc32 = custodyCRC32; // crc32.js

// newCRC returns a CRC-32 of the form {init(), update(bytes), value()}:
// hash-wasm's if it agrees with crc32 on a sample ("123456789", whose
// CRC-32 is cbf43926, and 1 MiB of varied bytes at an odd offset), else
// crc32.
async function newCRC() {
  const plain = () => {
    let c = 0;
    return { init: () => { c = 0; }, update: (b) => { c = crc32(b, c); }, value: () => c };
  };
  try {
    const h = await hashwasm.createCRC32();
    const sample = new Uint8Array((1 << 20) + 7);
    for (let i = 0; i < sample.length; i++) sample[i] = (i * 2654435761) >>> 24;
    const of = (bytes) => {
      h.init();
      h.update(bytes);
      return parseInt(h.digest("hex"), 16);
    };
    const check = new TextEncoder().encode("123456789");
    if (of(check) !== 0xcbf43926 || crc32(check, 0) !== 0xcbf43926 || of(sample.subarray(3)) !== crc32(sample.subarray(3), 0)) {
      return plain();
    }
    return { init: () => h.init(), update: (b) => h.update(b), value: () => parseInt(h.digest("hex"), 16) };
  } catch (e) {
    return plain();
  }
}

const crcReady = newCRC();

function read(reader, file, from, to) {
  const bytes = new Uint8Array(reader.readAsArrayBuffer(file.slice(from, to)));
  if (bytes.length !== to - from) throw new Error("the file ends at " + (from + bytes.length) + ", before " + to);
  return bytes;
}

async function digest(file, offset, length, whole) {
  const reader = new FileReaderSync();
  const crc = await crcReady;
  crc.init();
  if (whole) {
    const bytes = read(reader, file, offset, offset + length);
    crc.update(bytes);
    return { sha256: new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)), crc: crc.value() };
  }
  const h = await hashwasm.createSHA256();
  h.init();
  pieces(reader, file, offset, length, (bytes) => {
    h.update(bytes);
    crc.update(bytes);
  });
  return { sha256: h.digest("binary"), crc: crc.value() };
}

// pieces hands each(bytes) the range in pieces of PIECE bytes.
function pieces(reader, file, offset, length, each) {
  for (let at = offset, end = offset + length; at < end; ) {
    const bytes = read(reader, file, at, Math.min(end, at + PIECE));
    each(bytes);
    at += bytes.length;
  }
}

// update goes on with a SHA-256 from state (hash-wasm's save of the
// page's hasher) over the range, and returns the state after it: the
// page's hasher loads it and goes on (digest.js). A PDF's signed bytes,
// hundreds of megabytes through hash-wasm, are so hashed here rather than
// on the page's thread.
async function update(state, file, offset, length) {
  const h = await hashwasm.createSHA256();
  h.init();
  h.load(state);
  pieces(new FileReaderSync(), file, offset, length, (bytes) => h.update(bytes));
  return h.save();
}

// One range at a time, in the order asked: the CRC-32 is one state, and
// the page gives a digester its next range only once it answered.
let queue = Promise.resolve();

self.onmessage = (e) => {
  const { id, file, offset, length, whole, state } = e.data;
  queue = queue.then(async () => {
    try {
      if (state) {
        postMessage({ id, state: await update(state, file, offset, length) });
      } else {
        const out = await digest(file, offset, length, whole);
        postMessage({ id, sha256: out.sha256, crc: out.crc });
      }
    } catch (err) {
      postMessage({ id, error: String((err && err.message) || err) });
    }
  });
};
