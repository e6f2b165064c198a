/**
 * Reading and replacing small files that must never be lost: a new content is written to a temporary file beside
 * the old one, flushed to disk, and renamed over it, so at every instant the file holds the old content or the new,
 * whole; the directory is flushed too, so the rename survives a power loss. A failed write leaves the old file.
 */
import * as fs from 'fs';
import * as path from 'path';

/** A file operation that failed; the message names the file, the reason, and what was left. */
export class FileError extends Error {
  constructor(message: string, public readonly code?: string) {
    super(message);
    this.name = 'FileError';
  }
}

/**
 * Creates `dir` and its missing parents, one level at a time (Node's recursive `mkdirSync` loops forever under
 * `/proc`, where mkdir reports ENOENT for a parent that exists).
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(d);
    } catch (e: any) {
      if (e.code !== 'ENOENT' && e.code !== 'ENOTDIR') throw new FileError(`cannot use directory ${d} (${e.code ?? e.message})`, e.code);
    }
    if (st) {
      if (!st.isDirectory()) throw new FileError(`${d} is not a directory`, 'ENOTDIR');
      break;
    }
    missing.push(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d);
    } catch (e: any) {
      if (e.code !== 'EEXIST') throw new FileError(`cannot create directory ${d} (${e.code ?? e.message})`, e.code);
    }
  }
}

/** Options for {@link readSmallFile}. */
export interface ReadSmallFileOptions {
  /** The largest size accepted, in bytes. @default 33554432 (32 MiB) */
  readonly maxBytes?: number;
}

/**
 * The text of a regular file, or undefined when there is none. Refuses what is not a regular file (a FIFO or a
 * device would block or never end) and files above `maxBytes`.
 */
export function readSmallFile(file: string, options: ReadSmallFileOptions = {}): string | undefined {
  return readSmallFileBytes(file, options)?.toString('utf8');
}

/** {@link readSmallFile}'s bytes, for a caller that decodes them itself (a BOM, say). */
export function readSmallFileBytes(file: string, options: ReadSmallFileOptions = {}): Buffer | undefined {
  const max = options.maxBytes ?? 32 * 1024 * 1024;
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e: any) {
    if (e.code === 'ENOENT') return undefined;
    throw new FileError(`cannot read ${file} (${e.code ?? e.message})`, e.code);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new FileError(`${file} is not a regular file`, 'EINVAL');
    if (st.size > max) throw new FileError(`${file} is ${st.size} bytes, more than the ${max} this file may have`, 'EFBIG');
    return fs.readFileSync(fd);
  } catch (e: any) {
    throw e instanceof FileError ? e : new FileError(`cannot read ${file} (${e.code ?? e.message})`, e.code);
  } finally {
    fs.closeSync(fd);
  }
}

/** Options for {@link replaceFile}. */
export interface ReplaceFileOptions {
  /** Permission bits of the new file. @default 0o600 */
  readonly mode?: number;
}

/**
 * Replaces `file` with `text` durably and atomically (temporary file, fsync, rename, fsync of the directory). On
 * failure the old file is untouched and the temporary file removed; the error says so.
 */
export function replaceFile(file: string, text: string, options: ReplaceFileOptions = {}): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', options.mode ?? 0o600);
    fs.fchmodSync(fd, options.mode ?? 0o600); // whatever the umask
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (e: any) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw new FileError(`cannot write ${file} (${e.code ?? e.message}); it was left as it was`, e.code);
  }
  syncDir(dir);
}

// The rename is in the directory: flush it so the new name survives a crash (not possible on every platform).
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot open a directory; some file systems refuse fsync on one. The rename itself is done.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
