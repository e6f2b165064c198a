/**
 * An output directory (dist/) that is never lost: at every instant a complete one exists, the old or the new.
 *
 * `dist` is a symbolic link to a complete version in `.dist-versions/` beside it. A new version is written into a
 * staging directory there, renamed to a version, and swapped in by renaming a new link over `dist`: rename(2) over
 * an existing link is atomic on Linux and macOS, so a reader sees the old tree or the new one, never none or a mix.
 * (Directories cannot be exchanged atomically from Node: rename(2) replaces only an empty directory, and
 * renameat2(RENAME_EXCHANGE) is not exposed, hence the link.)
 *
 * A reader that resolves `dist` once (`fs.realpathSync`, as deploy does) reads one version whole; the previous
 * version is kept until the next swap, so a reader that resolved it just before a swap has a whole synth to finish. (A reader
 * that looks each file up through `dist` may straddle a swap: no layout avoids that but reading from one directory.)
 *
 * Runs are serialized by a lock file in `.dist-versions/`; a run finding it waits, saying who holds it, and takes
 * over a lock whose process is gone. Under the lock, before anything is written, what dead runs left (staging
 * directories, temporary links) is removed; after a swap, every version but the new and the previous one. A `dist` that is a link made by someone else stays theirs: the directory it points at is
 * the one managed (it becomes a link in turn). A plain directory `dist` (from an earlier version, or made by hand)
 * is converted once: moved into `.dist-versions/`, then the link takes its place. That one conversion is two renames,
 * so between them there is a moment without `dist`; a run killed there is repaired by the next one, which links
 * the moved directory back before it does anything else.
 */
import * as fs from 'fs';
import * as path from 'path';
import { FileError, makeDirs } from '../shared/durable-file';
import { blockFor, signalZero } from '../shared/file-lock';

/** Options for {@link replaceOutputDir}. */
export interface ReplaceOptions {
  /** Told once when another run holds the lock and this one waits for it. @default - nothing is said */
  readonly onWait?: (holder: LockHolder, lockFile: string) => void;
  /** How long to wait for another run to finish. @default 600000 (10 minutes) */
  readonly lockTimeoutMs?: number;
}

/** The run that holds the lock, as it recorded itself. */
export interface LockHolder {
  readonly pid: number;
  /** ISO time it took the lock. */
  readonly since: string;
}

/** A failure that leaves the output directory in a state worth telling: the message says which. */
export class OutputDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputDirError';
  }
}

const COMPLETE = /^(v|legacy)-/;

/**
 * Checks that the output can go where asked, makes its versions directory and takes the lock. Anything the system
 * refuses (a root, /proc, a read-only or unwritable directory) is an OutputDirError saying where and what to do.
 */
function prepare(outdir: string, options: ReplaceOptions): { link: string; versions: string; name: string; release: () => void } {
  const resolved = path.resolve(outdir);
  if (path.dirname(resolved) === resolved) {
    throw new OutputDirError(`${resolved} is the root of the filesystem, not an output directory: pass --dist with a directory of its own, e.g. --dist dist`);
  }
  try {
    const { link, versions } = resolveManaged(outdir);
    makeDirs(versions);
    return { link, versions, name: path.basename(link), release: lock(versions, path.basename(link), options) };
  } catch (e: any) {
    if (e instanceof OutputDirError) throw e;
    const why = e instanceof FileError ? e.message : e.code === 'ENOTDIR' ? `${fileAbove(resolved)} is not a directory` : e.message;
    throw new OutputDirError(`cannot write the output at ${resolved} (${why}); nothing was written. ` +
      'Pass --dist with a directory you can write (on a normal filesystem, not /proc or /sys)');
  }
}

/** The nearest ancestor of `p` that exists and is not a directory (the cause of an ENOTDIR). */
function fileAbove(p: string): string {
  for (let d = path.dirname(p); path.dirname(d) !== d; d = path.dirname(d)) {
    try {
      if (!fs.statSync(d).isDirectory()) return d;
    } catch {
      // not there: look further up
    }
  }
  return p;
}

/** The managed directory and its versions directory for an output path (following links others made). */
function resolveManaged(outdir: string): { link: string; versions: string } {
  let link = path.resolve(outdir);
  for (let hops = 0; ; hops++) {
    const versions = path.join(path.dirname(link), `.${path.basename(link)}-versions`);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(link);
    } catch (e: any) {
      if (e.code === 'ENOENT') return { link, versions };
      throw e;
    }
    if (!st.isSymbolicLink()) {
      if (st.isDirectory()) return { link, versions };
      throw new OutputDirError(`${link} is a file, not a directory; move it away so synth can write the output there`);
    }
    const target = path.resolve(path.dirname(link), fs.readlinkSync(link));
    if (path.dirname(target) === versions) return { link, versions };
    // Someone else's link: it stays as it is, and what it points at is the output directory.
    if (hops >= 8) throw new OutputDirError(`${outdir} is a chain of more than 8 symbolic links; point it at a directory`);
    link = target;
  }
}

const sleep = blockFor;
const alive = signalZero;

/** Takes the lock (waiting for a live holder, taking over from a dead one); returns its release. */
function lock(versions: string, name: string, options: ReplaceOptions): () => void {
  const file = path.join(versions, 'lock');
  const mine = path.join(versions, `lock-${process.pid}-${Math.random().toString(36).slice(2)}.tmp`);
  fs.writeFileSync(mine, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
  const deadline = Date.now() + (options.lockTimeoutMs ?? 600_000);
  let told = false;
  try {
    for (;;) {
      try {
        fs.linkSync(mine, file); // atomic: fails if a lock exists, and a lock is never seen half-written
        return () => fs.rmSync(file, { force: true });
      } catch (e: any) {
        if (e.code !== 'EEXIST') throw e;
      }
      let text: string | undefined;
      try { text = fs.readFileSync(file, 'utf8'); } catch { continue; } // released meanwhile
      let holder: LockHolder | undefined;
      try { holder = JSON.parse(text); } catch { holder = undefined; }
      if (!holder || !alive(holder.pid)) {
        // A dead run's lock: move it aside (only one taker wins the rename), and remove it if it is still that one.
        const aside = `${file}.stale-${process.pid}`;
        try {
          fs.renameSync(file, aside);
          if (fs.readFileSync(aside, 'utf8') !== text) fs.linkSync(aside, file); // a live lock taken meanwhile: put it back
          fs.rmSync(aside, { force: true });
        } catch { /* another run moved it first */ }
        continue;
      }
      if (!told) options.onWait?.(holder, file);
      told = true;
      if (Date.now() > deadline) {
        throw new OutputDirError(`gave up waiting for the synth of pid ${holder.pid} (holding ${file} since ${holder.since}); ` +
          `${name} was left as it was. If no such synth is running, remove ${file}`);
      }
      sleep(100);
    }
  } finally {
    fs.rmSync(mine, { force: true });
  }
}

/**
 * Writes a new version of `outdir` with `write(dir)` into a staging directory and swaps it in atomically. When
 * `write` throws, `outdir` is left as it was and the staging directory removed. Returns what `write` returned.
 */
export function replaceOutputDir<T>(outdir: string, write: (dir: string) => T, options: ReplaceOptions = {}): T {
  const { link, versions, name, release } = prepare(outdir, options);
  try {
    const previous = repair(link, versions);
    // A waiting run's lock-<pid>-*.tmp is its own until it takes the lock; only dead runs' are removed.
    removeAll(versions, e => /^(staging|link)-|^lock\.stale-/.test(e) || (/^lock-(\d+)-\w+\.tmp$/.test(e) && !alive(Number(e.split('-')[1]))), p => new OutputDirError(
      `cannot remove ${p}, left by a synth that died (%s); ${name} was left as it was. Remove it by hand and synth again`));
    const id = `${new Date().toISOString().replace(/[-:.]/g, '')}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const staging = path.join(versions, `staging-${id}`);
    fs.mkdirSync(staging, { mode: 0o777 & ~process.umask() });
    let result: T;
    try {
      result = write(staging);
    } catch (err) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw err;
    }
    const version = path.join(versions, `v-${id}`);
    fs.renameSync(staging, version);
    swapIn(link, versions, version);
    const keep = new Set([path.basename(version), ...(previous ? [path.basename(previous)] : [])]);
    removeAll(versions, e => !keep.has(e) && COMPLETE.test(e), p => new OutputDirError(
      `${name} now holds the new output, but ${p}, an older one, could not be removed (%s); the next synth tries again`));
    return result;
  } finally {
    release();
  }

  function swapIn(linkPath: string, versionsDir: string, version: string): void {
    const temp = path.join(versionsDir, `link-${process.pid}`);
    fs.rmSync(temp, { force: true });
    fs.symlinkSync(path.join(path.basename(versionsDir), path.basename(version)), temp);
    let st: fs.Stats | undefined;
    try { st = fs.lstatSync(linkPath); } catch { st = undefined; }
    try {
      if (st?.isDirectory()) {
        // The one-time conversion of a plain directory: moved into the versions (complete, so the next run can
        // link it back if this one dies right here), then the link takes its place.
        fs.renameSync(linkPath, path.join(versionsDir, `legacy-${path.basename(version).slice(2)}`));
      }
      fs.renameSync(temp, linkPath);
    } catch (e: any) {
      fs.rmSync(temp, { force: true });
      const now = stateOf(linkPath);
      fs.rmSync(version, { recursive: true, force: true });
      throw new OutputDirError(`the new output was complete, but ${name} could not be switched to it (${e.message}); ${now}. The new output was removed.`);
    }
  }
}

/** What `link` is now, in words, for a message that must say truthfully what state was left. */
function stateOf(link: string): string {
  try {
    const st = fs.lstatSync(link);
    return st.isSymbolicLink() ? `${path.basename(link)} still points to ${fs.readlinkSync(link)}, the previous output` : `${path.basename(link)} is still the previous output`;
  } catch {
    return `there is no ${path.basename(link)} (there was none before either)`;
  }
}

/**
 * Under the lock: links `link` back to the newest complete version if a run died mid-conversion (so no failure
 * after this leaves no `link`). Returns the version `link` points at, if it is one of ours.
 */
function repair(link: string, versions: string): string | undefined {
  let exists = true;
  try { fs.lstatSync(link); } catch { exists = false; }
  if (!exists) {
    const complete = fs.readdirSync(versions).filter(e => COMPLETE.test(e));
    const newest = complete.sort((a, b) => fs.statSync(path.join(versions, b)).mtimeMs - fs.statSync(path.join(versions, a)).mtimeMs)[0];
    if (newest) {
      const temp = path.join(versions, `link-${process.pid}`);
      fs.rmSync(temp, { force: true });
      fs.symlinkSync(path.join(path.basename(versions), newest), temp);
      fs.renameSync(temp, link);
    }
  }
  try {
    const target = path.resolve(path.dirname(link), fs.readlinkSync(link));
    return path.dirname(target) === versions ? target : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the entries of `versions` that `which` selects; the first that cannot be removed fails with `error`. */
function removeAll(versions: string, which: (entry: string) => boolean, error: (p: string) => OutputDirError): void {
  for (const e of fs.readdirSync(versions).filter(which)) {
    const p = path.join(versions, e);
    try {
      fs.rmSync(p, { recursive: true, force: true });
    } catch (err: any) {
      const failure = error(p);
      failure.message = failure.message.replace('%s', err.message);
      throw failure;
    }
  }
}
