// An in-memory file system for the Go WebAssembly runtime, which reaches
// files through globalThis.fs (Node's API); a browser has none, and
// wasm_exec.js would install one that refuses every call. The verifier
// needs files only as temporary space: a compressed entry of a re-zipped
// bundle, or of a re-saved PDF, is decoded into a temporary file to be
// read at random. Here such a file lives in the page's memory, and is
// gone when the page closes. Nothing is ever written to the disk, and no
// file of the computer can be read through it. Loaded before wasm_exec.js.
"use strict";

(() => {
  const constants = { O_WRONLY: 1, O_RDWR: 2, O_CREAT: 64, O_EXCL: 128, O_TRUNC: 512, O_APPEND: 1024, O_DIRECTORY: 65536 };
  const files = new Map(); // path → {data: Uint8Array, size}
  const open = new Map(); // fd → {file, path, pos, append}
  let nextFD = 100;
  const decoder = new TextDecoder("utf-8");
  let console_line = "";

  function fail(code) {
    const e = new Error(code);
    e.code = code;
    return e;
  }

  function stats(file) {
    return {
      dev: 0, ino: 0, mode: 0o100600, nlink: 1, uid: 0, gid: 0, rdev: 0,
      size: file.size, blksize: 4096, blocks: Math.ceil(file.size / 512),
      atimeMs: 0, mtimeMs: 0, ctimeMs: 0,
      isDirectory() { return false; },
    };
  }

  function grow(file, size) {
    if (size <= file.data.length) return;
    const data = new Uint8Array(Math.max(size, file.data.length * 2, 1 << 16));
    data.set(file.data.subarray(0, file.size));
    file.data = data;
  }

  function writeConsole(buf) {
    console_line += decoder.decode(buf);
    const nl = console_line.lastIndexOf("\n");
    if (nl !== -1) {
      console.log(console_line.substring(0, nl));
      console_line = console_line.substring(nl + 1);
    }
    return buf.length;
  }

  function handle(fd) {
    const h = open.get(fd);
    if (!h) throw fail("EBADF");
    return h;
  }

  // call runs f and hands its result, or its error, to Node's callback.
  function call(callback, f) {
    let result;
    try {
      result = f();
    } catch (e) {
      callback(e.code ? e : fail("EIO"));
      return;
    }
    callback(null, result);
  }

  const enosys = (...args) => args[args.length - 1](fail("ENOSYS"));

  globalThis.fs = {
    constants,
    writeSync(fd, buf) {
      if (fd === 1 || fd === 2) return writeConsole(buf);
      throw fail("EBADF");
    },
    open(path, flags, mode, callback) {
      call(callback, () => {
        if (flags & constants.O_DIRECTORY) throw fail("ENOTDIR");
        let file = files.get(path);
        if (file && (flags & constants.O_CREAT) && (flags & constants.O_EXCL)) throw fail("EEXIST");
        if (!file) {
          if (!(flags & constants.O_CREAT)) throw fail("ENOENT");
          file = { data: new Uint8Array(0), size: 0 };
          files.set(path, file);
        }
        if (flags & constants.O_TRUNC) file.size = 0;
        const fd = nextFD++;
        open.set(fd, { file, path, pos: 0, append: !!(flags & constants.O_APPEND) });
        return fd;
      });
    },
    close(fd, callback) { call(callback, () => { handle(fd); open.delete(fd); }); },
    fstat(fd, callback) { call(callback, () => stats(handle(fd).file)); },
    stat(path, callback) {
      call(callback, () => {
        const file = files.get(path);
        if (!file) throw fail("ENOENT");
        return stats(file);
      });
    },
    lstat(path, callback) { this.stat(path, callback); },
    read(fd, buf, offset, length, position, callback) {
      call(callback, () => {
        const h = handle(fd);
        const at = position === null ? h.pos : position;
        const n = Math.max(0, Math.min(length, h.file.size - at));
        buf.set(h.file.data.subarray(at, at + n), offset);
        if (position === null) h.pos += n;
        return n;
      });
    },
    write(fd, buf, offset, length, position, callback) {
      call(callback, () => {
        if (fd === 1 || fd === 2) return writeConsole(buf.subarray(offset, offset + length));
        const h = handle(fd);
        const at = h.append ? h.file.size : position === null ? h.pos : position;
        grow(h.file, at + length);
        h.file.data.set(buf.subarray(offset, offset + length), at);
        h.file.size = Math.max(h.file.size, at + length);
        if (position === null) h.pos = at + length;
        return length;
      });
    },
    ftruncate(fd, length, callback) {
      call(callback, () => {
        const h = handle(fd);
        grow(h.file, length);
        if (length > h.file.size) h.file.data.fill(0, h.file.size, length);
        h.file.size = length;
      });
    },
    unlink(path, callback) {
      call(callback, () => {
        if (!files.delete(path)) throw fail("ENOENT");
      });
    },
    fsync(fd, callback) { callback(null); },
    chmod: enosys, chown: enosys, fchmod: enosys, fchown: enosys, lchown: enosys,
    link: enosys, mkdir: enosys, readdir: enosys, readlink: enosys, rename: enosys,
    rmdir: enosys, symlink: enosys, truncate: enosys, utimes: enosys,
  };
})();
