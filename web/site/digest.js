// custodyDigestRange(file, offset, length, whole): the SHA-256 of bytes
// [offset, offset+length) of a File (or Blob), read here straight from
// the File, and what the verifier needs for their ZIP CRC-32: what the
// verifier's WebAssembly asks for a large sealed file of a bundle
// (verify.Options.DigestRange, web/wasm/digest.go), so that the bytes are
// read in one slice, not a thousand, and not copied into Web Crypto's
// buffer through the WebAssembly.
//
// whole: the range is read in one piece and digested by Web Crypto
// (native, but not incremental: the verifier asks for it only up to a
// bound, webCryptoMax); resolves to {sha256: Uint8Array(32), bytes:
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

  // CRC-32 (IEEE 802.3, as ZIP's), eight bytes at a time ("slicing by
  // 8"): TABLE[k*256+b] is the CRC of byte b followed by k zero bytes.
  const TABLE = new Int32Array(8 * 256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    TABLE[b] = c;
  }
  for (let b = 0; b < 256; b++) {
    for (let k = 1; k < 8; k++) {
      const prev = TABLE[(k - 1) * 256 + b];
      TABLE[k * 256 + b] = (prev >>> 8) ^ TABLE[prev & 0xff];
    }
  }

  // crc32 goes on from crc (0 to start) over bytes.
  function crc32(bytes, crc) {
    const T = TABLE;
    let c = ~crc;
    const n = bytes.length;
    const end8 = n - (n & 7);
    let i = 0;
    for (; i < end8; i += 8) {
      c ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
      c = T[1792 + (c & 0xff)] ^ T[1536 + ((c >>> 8) & 0xff)] ^ T[1280 + ((c >>> 16) & 0xff)] ^ T[1024 + (c >>> 24)] ^
        T[768 + bytes[i + 4]] ^ T[512 + bytes[i + 5]] ^ T[256 + bytes[i + 6]] ^ T[bytes[i + 7]];
    }
    for (; i < n; i++) c = T[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    return ~c >>> 0;
  }

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

  return {
    crc32,
    range: (file, offset, length, useWebCrypto) => (useWebCrypto ? whole : streamed)(file, offset, length),
    update: (hasher, file, offset, length) => pieces(file, offset, length, (bytes) => hasher.update(bytes)),
    readInto: async (file, offset, length, target, at) => target.set(await read(file, offset, offset + length), at),
  };
})();

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
