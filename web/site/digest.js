// custodyDigestRange(file, offset, length, whole): the SHA-256 of bytes
// [offset, offset+length) of a File (or Blob), read here straight from
// the File, and what the verifier needs for their ZIP CRC-32: what the
// verifier's WebAssembly asks for a large sealed file of a bundle
// (verify.Options.DigestRange, web/wasm/digest.go), so that the bytes are
// read in one slice, not a thousand, and not copied into Web Crypto's
// buffer through the WebAssembly.
//
// Once the page started its digesters (startWorkers; digester.js), a
// digester hashes the range, on another core, and it resolves to
// {sha256: Uint8Array(32), crc: number}; a digester that fails leaves the
// range to this page. Here, whole: the range is read in one piece and
// digested by Web Crypto (native, but not incremental: the verifier asks
// for it only up to a bound, webCryptoMax); resolves to {sha256, bytes:
// Uint8Array}, the bytes read, whose CRC-32 the WebAssembly computes
// (about twice as fast there as here, in Chromium). Otherwise the range
// streams through hash-wasm's SHA-256 in pieces of PIECE bytes, the next
// one read while this one is hashed, and the CRC-32 is computed here as
// it goes: resolves to {sha256, crc: number}.
//
// Its properties min, update and readInto (at the end) serve the
// verifier's hashes when it copies a section of the File into one.
"use strict";

const custodyDigest = (() => {
  const PIECE = 4 << 20;

  const crc32 = custodyCRC32;

  async function read(file, from, to) {
    const bytes = new Uint8Array(await file.slice(from, to).arrayBuffer());
    if (bytes.length !== to - from) throw new Error("the file ends at " + (from + bytes.length) + ", before " + to);
    return bytes;
  }

  async function whole(file, offset, length) {
    const bytes = await read(file, offset, offset + length);
    return { sha256: new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)), bytes };
  }

  // pieces hands each(bytes) the range in pieces of PIECE bytes, the
  // next one read while each takes this one.
  async function pieces(file, offset, length, each) {
    const end = offset + length;
    let next = read(file, offset, Math.min(end, offset + PIECE));
    for (let at = offset; at < end; ) {
      const bytes = await next;
      at += bytes.length;
      if (at < end) next = read(file, at, Math.min(end, at + PIECE));
      each(bytes);
    }
  }

  async function streamed(file, offset, length) {
    const h = await hashwasm.createSHA256();
    h.init();
    let crc = 0;
    await pieces(file, offset, length, (bytes) => {
      h.update(bytes);
      crc = crc32(bytes, crc);
    });
    return { sha256: h.digest("binary"), crc };
  }

  // The digesters (digester.js), once startWorkers started them: each
  // takes one range at a time; the others wait in order in waiting.
  const idle = [];
  const waiting = [];
  let digesters = 0;
  let nextID = 0;

  function startWorkers(source, count) {
    for (let i = 0; i < count; i++) {
      let worker;
      try {
        worker = new Worker(source);
      } catch (e) {
        console.log("custody: no digester (" + e + "): files hashed in this page");
        return;
      }
      let job = null;
      worker.onmessage = (e) => {
        const done = job;
        job = null;
        if (e.data.error === undefined) {
          custodyDigesters.hashed++;
          done.resolve(e.data);
        } else {
          done.reject(new Error(e.data.error));
        }
        give(worker);
      };
      worker.onerror = (e) => {
        // A digester that fails is left out; its range is hashed here.
        if (worker.failed) return;
        worker.failed = true;
        custodyDigesters.failed++;
        digesters--;
        if (idle.includes(worker)) idle.splice(idle.indexOf(worker), 1);
        if (job) job.reject(new Error("the digester failed: " + e.message));
        job = null;
        if (digesters === 0) for (const w of waiting.splice(0)) w.reject(new Error("no digester left"));
      };
      worker.take = (j) => {
        job = j;
        worker.postMessage({ id: nextID++, ...j.message });
      };
      digesters++;
      give(worker);
    }
  }

  // give hands worker the next range waiting, or marks it idle.
  function give(worker) {
    if (worker.failed) return;
    const next = waiting.shift();
    if (next) worker.take(next);
    else idle.push(worker);
  }

  // elsewhere has a digester answer message (digester.js says what), or
  // rejects if none can.
  function elsewhere(message) {
    return new Promise((resolve, reject) => {
      const job = { message, resolve, reject };
      const worker = idle.shift();
      if (worker) worker.take(job);
      else waiting.push(job);
    });
  }

  // range is the SHA-256 and CRC-32 of the range: a digester's, else
  // this page's.
  async function range(file, offset, length, useWebCrypto) {
    if (digesters > 0) {
      try {
        const out = await elsewhere({ file, offset, length, whole: useWebCrypto });
        return { sha256: out.sha256, crc: out.crc };
      } catch (e) {
        console.log("custody: " + e.message + ": hashed in this page");
      }
    }
    return (useWebCrypto ? whole : streamed)(file, offset, length);
  }

  // update feeds a hash-wasm hasher the range: in a digester, which takes
  // the hasher's state (hash-wasm's save and load) and hands back the
  // state after the range, else here. A PDF's signed bytes, most of a file
  // of hundreds of megabytes, were hashed on the page's thread.
  async function update(hasher, file, offset, length) {
    if (digesters > 0 && typeof hasher.save === "function") {
      try {
        const out = await elsewhere({ file, offset, length, state: hasher.save() });
        hasher.load(out.state);
        return;
      } catch (e) {
        console.log("custody: " + e.message + ": hashed in this page");
      }
    }
    await pieces(file, offset, length, (bytes) => hasher.update(bytes));
  }

  return {
    crc32,
    startWorkers,
    range,
    update,
    readInto: async (file, offset, length, target, at) => target.set(await read(file, offset, offset + length), at),
  };
})();

// custodyDigesters counts the ranges the digesters hashed, and the
// digesters that failed (the tests read it).
globalThis.custodyDigesters = { hashed: 0, failed: 0 };
globalThis.custodyDigestRange = (file, offset, length, whole) => custodyDigest.range(file, offset, length, whole);
// The smallest range worth hashing here: below, the round trip through a
// Promise costs more than the verifier's reading it from its own cache of
// the File's blocks (many small files share a block).
custodyDigestRange.min = 256 << 10;
// For a hash that the verifier feeds a section of the File (the bytes a
// PDF signature covers), web/wasm/sha256.go's ReadFrom:
// custodyDigestRange.update(hasher, file, offset, length) feeds a
// hash-wasm hasher the range, custodyDigestRange.readInto(file, offset,
// length, target, at) reads it into the buffer Web Crypto will digest.
custodyDigestRange.update = custodyDigest.update;
custodyDigestRange.readInto = custodyDigest.readInto;
