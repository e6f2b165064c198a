/**
 * A lock file beside a file that several processes change (`<file>.lock`), so each read-change-write happens alone.
 *
 * The lock is taken by hard-linking a complete holder record (pid, host, command, time) to the lock name: link(2)
 * fails when the name exists and never shows a half-written record. A waiter is told once who holds the lock and
 * gives up after a bounded wait, naming the holder. A lock whose holder process is gone (same host, pid not running)
 * is taken over: under a second, short-lived lock (`<file>.lock.break`), so two waiters never both remove one lock
 * and then both take it; the break lock is held only for a read and an unlink.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FileError } from './durable-file';

/** Who holds a lock, as it recorded itself. */
export interface LockHolder {
  /** Process id. */
  readonly pid: number;
  /** Host name the process runs on (a pid means something only there). */
  readonly host: string;
  /** What it is doing, in the user's words (`npm run keys -- add`). */
  readonly command: string;
  /** When it took the lock (ISO 8601). */
  readonly since: string;
}

/** Options for {@link withFileLock}. */
export interface FileLockOptions {
  /** What this process is doing, recorded for others' messages. @default 'pid <pid>' */
  readonly command?: string;
  /** How long to wait for a live holder. @default 30000 (30 s) */
  readonly timeoutMs?: number;
  /** Told once, when the lock is held by another process and this one starts waiting. @default - nothing is said */
  readonly onWait?: (holder: LockHolder | undefined, lockFile: string) => void;
  /** The clock, in ms. @default Date.now */
  readonly now?: () => number;
  /** Waits between attempts. @default - blocks the thread for `ms` */
  readonly sleep?: (ms: number) => void;
  /** Whether a pid of this host runs. @default - signal 0 */
  readonly isAlive?: (pid: number) => boolean;
}

/** The lock stayed held by another process for the whole wait. */
export class LockTimeoutError extends Error {
  constructor(public readonly lockFile: string, public readonly holder: LockHolder | undefined, waitedMs: number) {
    super(`gave up after ${Math.round(waitedMs / 1000)} s waiting for ${lockFile}, held by ${describeHolder(holder)}. ` +
      `If that process is not running${holder && holder.host === os.hostname() ? ` (\`ps -p ${holder.pid}\` shows nothing)` : ''}, remove ${lockFile} and run the command again`);
    this.name = 'LockTimeoutError';
  }
}

/** `pid 123 on host h (npm run keys -- add, since 2026-…)`, or what is known of an unreadable lock. */
export function describeHolder(holder: LockHolder | undefined): string {
  if (!holder) return 'a process that left no readable record';
  return `pid ${holder.pid} on host ${holder.host} (${holder.command}, since ${holder.since})`;
}

/** Blocks the thread for `ms` (the synchronous commands wait for a lock without an event loop to yield to). */
export const blockFor = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
/** Whether a process of this host is running (signal 0; EPERM means it runs as another user). */
export const signalZero = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: any) {
    return e.code === 'EPERM';
  }
};

/**
 * Runs `fn` holding `<file>.lock`; the directory of `file` must exist. Throws {@link LockTimeoutError} when a live
 * holder keeps the lock past the timeout; `fn` then never runs.
 */
export function withFileLock<T>(file: string, fn: () => T, options: FileLockOptions = {}): T {
  const release = acquire(`${file}.lock`, options);
  try {
    return fn();
  } finally {
    release();
  }
}

function acquire(lockFile: string, options: FileLockOptions): () => void {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? blockFor;
  const isAlive = options.isAlive ?? signalZero;
  const timeout = options.timeoutMs ?? 30_000;
  const me: LockHolder = { pid: process.pid, host: os.hostname(), command: options.command ?? `pid ${process.pid}`, since: new Date(now()).toISOString() };
  const record = JSON.stringify(me);
  const started = now();
  let told = false;
  for (let attempt = 0; ; attempt++) {
    if (linkRecord(record, lockFile)) {
      removeDeadTemporaries(lockFile, isAlive);
      return () => releaseIfMine(lockFile, record);
    }
    const text = readOrUndefined(lockFile);
    if (text === undefined) continue; // released meanwhile
    const holder = parseHolder(text);
    if (holder && holder.host === me.host && !isAlive(holder.pid)) {
      breakStale(lockFile, text, isAlive);
      continue;
    }
    if (!told) options.onWait?.(holder, lockFile);
    told = true;
    const waited = now() - started;
    if (waited >= timeout) throw new LockTimeoutError(lockFile, holder, waited);
    sleep(Math.min(10 * 2 ** Math.min(attempt, 4), 100) + Math.floor(Math.random() * 10));
  }
}

/**
 * Creates `file` holding `record`, whole, unless it exists (then false). The record goes to a temporary file that
 * exists only for this call, so an interrupted wait leaves nothing behind.
 */
function linkRecord(record: string, file: string): boolean {
  const temp = tempName(file);
  try {
    fs.writeFileSync(temp, record, { flag: 'wx', mode: 0o600 });
    fs.linkSync(temp, file);
    return true;
  } catch (e: any) {
    if (e.code === 'EEXIST') return false;
    // A read-only directory, or a file system without hard links: nothing was changed.
    throw new FileError(`cannot take the lock ${file} (${e.code ?? e.message})`, e.code);
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/**
 * Under the lock: removes temporary files of `<file>` (`.<file>.[lock.[break.]]<pid>.<random>.tmp`) that processes
 * killed mid-write left, when their process is gone and they are a minute old.
 */
function removeDeadTemporaries(lockFile: string, isAlive: (pid: number) => boolean): void {
  const dir = path.dirname(lockFile);
  const base = path.basename(lockFile).replace(/\.lock$/, '');
  const mine = new RegExp(`^\\.${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(?:lock\\.(?:break\\.)?)?(\\d+)\\.[a-z0-9]+\\.tmp$`);
  try {
    for (const entry of fs.readdirSync(dir)) {
      const pid = mine.exec(entry)?.[1];
      if (!pid || isAlive(Number(pid))) continue;
      const p = path.join(dir, entry);
      if (Date.now() - fs.statSync(p).mtimeMs > 60_000) fs.rmSync(p, { force: true });
    }
  } catch {
    // Best effort: leftovers cost nothing but tidiness.
  }
}

/** Removes the lock if it is still this process's own record (a lock taken over from us stays its new holder's). */
function releaseIfMine(lockFile: string, record: string): void {
  if (readOrUndefined(lockFile) === record) fs.rmSync(lockFile, { force: true });
}

/**
 * Removes a dead holder's lock, if it is still that one, under the break lock. A break lock left by a process that
 * died in its few instructions is itself removed when its holder is gone.
 */
function breakStale(lockFile: string, staleText: string, isAlive: (pid: number) => boolean): void {
  const breakFile = `${lockFile}.break`;
  if (!linkRecord(JSON.stringify({ pid: process.pid, host: os.hostname() }), breakFile)) {
    const other = parseHolder(readOrUndefined(breakFile) ?? '');
    // Another waiter is breaking the lock right now; if it died doing so, its break lock goes too.
    if (other && other.host === os.hostname() && !isAlive(other.pid)) fs.rmSync(breakFile, { force: true });
    return;
  }
  try {
    if (readOrUndefined(lockFile) === staleText) fs.rmSync(lockFile, { force: true });
  } finally {
    fs.rmSync(breakFile, { force: true });
  }
}

function tempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
}

function readOrUndefined(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e: any) {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const h = JSON.parse(text);
    return Number.isInteger(h?.pid) && h.pid > 0 && typeof h.host === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}
