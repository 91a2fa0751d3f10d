// custodyCRC32(bytes, crc): the CRC-32 (IEEE 802.3, as ZIP's) of a
// Uint8Array, going on from crc (0 to start), eight bytes at a time
// ("slicing by 8"). The page's own (digest.js, when no digester runs) and
// the reference the digesters hold hash-wasm's to (digester.js); loaded
// by the page and built into the digesters' script (scripts/build-web).
"use strict";

globalThis.custodyCRC32 = (() => {
  // TABLE[k*256+b] is the CRC of byte b followed by k zero bytes.
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

  return (bytes, crc) => {
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
  };
})();
