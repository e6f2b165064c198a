import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makeDirs, readSmallFile } from '../shared/durable-file';

/** Checks that a value read back from the cache has the shape its user expects. */
export type CacheShape<T> = (value: unknown) => value is T;

/** Options for {@link ValidationCache}. */
export interface ValidationCacheOptions {
  /**
   * The most bytes the cache keeps: past it, the entries used longest ago are removed.
   * @default 268435456 (256 MiB)
   */
  readonly maxBytes?: number;
  /**
   * Told once when the cache cannot be used (then every lookup misses): the cache only buys speed.
   * @default a `validate: warning:` line on stderr
   */
  readonly warn?: (message: string) => void;
}

/** The largest single entry read back (a pin's verdicts are a few MiB); a larger file is a miss. */
const MAX_ENTRY_BYTES = 64 * 1024 * 1024;

/**
 * A directory of JSON files keyed by content hashes and by a fingerprint of the validator's own code, so a changed
 * validator never reuses a stale verdict. Each entry records its key and a sha256 of its value: an entry that is
 * corrupt, truncated, hand-edited, stored under another key's name or of the wrong shape is a miss, and the caller
 * writes it again. Writes are atomic (temporary file, rename); the cache stays under `maxBytes`, evicting the
 * entries used longest ago. Not a defence against someone who can write the directory and recompute the digest.
 */
export class ValidationCache {
  /** The cache for this machine: `$VALIDATE_CACHE`, else `$XDG_CACHE_HOME/kserve-agentgateway-stack/validate`. */
  public static default(env: NodeJS.ProcessEnv = process.env, warn?: (message: string) => void): ValidationCache {
    const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
    return new ValidationCache(env.VALIDATE_CACHE || path.join(base, 'kserve-agentgateway-stack', 'validate'), warn);
  }

  /** A cache that never stores anything. */
  public static disabled(): ValidationCache {
    return new ValidationCache(undefined);
  }

  private readonly fingerprint: string;
  private readonly warn: (message: string) => void;
  private readonly maxBytes: number;
  private pruned = false;
  private usable?: boolean;
  /** Bytes in this version's directory, as last counted plus what this process wrote since. */
  private bytes?: number;

  /**
   * @param dir where entries live; undefined for no cache
   * @param options a warning callback (the former second parameter), or options
   */
  constructor(public readonly dir: string | undefined, options: ValidationCacheOptions | ((message: string) => void) = {}) {
    const o = typeof options === 'function' ? { warn: options } : options;
    this.warn = o.warn ?? (m => process.stderr.write(`validate: warning: ${m}\n`));
    this.maxBytes = o.maxBytes ?? 256 * 1024 * 1024;
    this.fingerprint = codeFingerprint();
  }

  /** The stored value for `key` when it is intact and has the expected shape, or undefined. */
  public get<T>(key: string, shape: CacheShape<T>): T | undefined {
    if (!this.dir || !this.check()) return undefined;
    const file = this.file(key);
    try {
      const text = readSmallFile(file, { maxBytes: MAX_ENTRY_BYTES });
      if (text === undefined) return undefined;
      // Line 1: {"key", "sha256"}; the rest: the value's JSON, which the digest covers.
      const newline = text.indexOf('\n');
      if (newline === -1) return undefined;
      const header = JSON.parse(text.slice(0, newline));
      const json = text.slice(newline + 1);
      if (header?.key !== key || header.sha256 !== digest(key, json)) return undefined;
      const value: unknown = JSON.parse(json);
      if (!shape(value)) return undefined;
      touch(file);
      return value;
    } catch {
      return undefined;
    }
  }

  /** Stores `value` for `key` (best effort: a read-only cache only costs speed). */
  public set(key: string, value: unknown): void {
    if (!this.dir || !this.check()) return;
    const file = this.file(key);
    const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    this.pruneOtherVersions();
    try {
      makeDirs(path.dirname(file));
      const json = JSON.stringify(value);
      const text = `${JSON.stringify({ key, sha256: digest(key, json) })}\n${json}`;
      fs.writeFileSync(tmp, text, { mode: 0o600 });
      fs.renameSync(tmp, file);
      this.account(path.dirname(file), Buffer.byteLength(text));
    } catch {
      try {
        fs.rmSync(tmp, { force: true });
      } catch {
        // Nothing was written.
      }
    }
  }

  // A cache path that exists but is not a directory (or cannot be made one) is skipped, with one warning.
  private check(): boolean {
    if (this.usable !== undefined) return this.usable;
    let reason = '';
    try {
      // Not mkdirSync({ recursive }): under /proc it loops forever at full CPU.
      makeDirs(this.dir!);
      this.usable = fs.statSync(this.dir!).isDirectory();
    } catch (e: any) {
      this.usable = false;
      reason = e?.code ? ` (${e.code})` : '';
    }
    if (!this.usable) this.warn(`the validation cache ${this.dir} is not a usable directory${reason} (set VALIDATE_CACHE to a directory); validating without it`);
    return this.usable;
  }

  // Counts the directory once per process, then what this process adds; past maxBytes, evicts the oldest entries.
  private account(dir: string, added: number): void {
    if (this.bytes === undefined) {
      this.bytes = 0;
      for (const e of entriesOf(dir)) this.bytes += e.size;
    } else {
      this.bytes += added;
    }
    if (this.bytes <= this.maxBytes) return;
    const entries = entriesOf(dir).sort((a, b) => a.mtimeMs - b.mtimeMs);
    let total = entries.reduce((s, e) => s + e.size, 0);
    // Down to 3/4 of the limit, so the next few writes do not each trigger a scan.
    for (const e of entries) {
      if (total <= this.maxBytes * 0.75) break;
      try {
        fs.rmSync(e.file, { force: true });
        total -= e.size;
      } catch {
        // Another process removed it, or it cannot be removed: skip it.
      }
    }
    this.bytes = total;
  }

  // Entries of an older validator can never be read again: drop them when this version first writes.
  private pruneOtherVersions(): void {
    if (this.pruned || !this.dir) return;
    this.pruned = true;
    const current = this.fingerprint.slice(0, 16);
    try {
      for (const entry of fs.readdirSync(this.dir)) {
        if (entry !== current && /^[0-9a-f]{16}$/.test(entry)) fs.rmSync(path.join(this.dir, entry), { recursive: true, force: true });
      }
    } catch {
      // Nothing cached yet.
    }
  }

  private file(key: string): string {
    return path.join(this.dir!, this.fingerprint.slice(0, 16), `${key.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
  }
}

function digest(key: string, json: string): string {
  return createHash('sha256').update(key).update('\0').update(json).digest('hex');
}

// A hit marks the entry as recently used, so eviction removes the entries used longest ago.
function touch(file: string): void {
  try {
    const now = new Date();
    fs.utimesSync(file, now, now);
  } catch {
    // A read-only cache still serves hits.
  }
}

function entriesOf(dir: string): { file: string; size: number; mtimeMs: number }[] {
  const out: { file: string; size: number; mtimeMs: number }[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    try {
      const st = fs.lstatSync(path.join(dir, name));
      if (st.isFile()) out.push({ file: path.join(dir, name), size: st.size, mtimeMs: st.mtimeMs });
    } catch {
      // Removed meanwhile.
    }
  }
  return out;
}

let fingerprint: string | undefined;

/**
 * sha256 over the validator's source files (this folder, recursively) and the built-in field data: any change to
 * how we validate invalidates every cached verdict.
 */
function codeFingerprint(): string {
  if (fingerprint) return fingerprint;
  const hash = createHash('sha256');
  const files = fs.readdirSync(__dirname, { recursive: true }).map(String).filter(f => /\.(ts|js)$/.test(f)).sort()
    .map(f => path.join(__dirname, f));
  for (const f of [...files, path.join(__dirname, '..', '..', 'imports', 'k8s-builtin-fields.json')]) {
    try {
      hash.update(path.basename(f)).update(fs.readFileSync(f));
    } catch {
      // A file that is not there (compiled layouts) does not change the verdicts.
    }
  }
  fingerprint = hash.digest('hex');
  return fingerprint;
}
