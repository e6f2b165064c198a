import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makeDirs } from '../shared/durable-file';

/**
 * A directory of JSON files keyed by content hashes and by a fingerprint of the validator's own code, so a changed
 * validator never reuses a stale verdict. Writes are atomic; a corrupt or unreadable entry is a miss.
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
  private pruned = false;
  private usable?: boolean;

  /**
   * @param dir where entries live; undefined for no cache
   * @param warn told once when the cache cannot be used (then every lookup misses): the cache only buys speed
   */
  constructor(public readonly dir: string | undefined, private readonly warn: (message: string) => void = m => process.stderr.write(`validate: warning: ${m}\n`)) {
    this.fingerprint = codeFingerprint();
  }

  /** The stored value for `key`, or undefined. */
  public get<T>(key: string): T | undefined {
    if (!this.dir || !this.check()) return undefined;
    try {
      return JSON.parse(fs.readFileSync(this.file(key), 'utf8')) as T;
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
      fs.writeFileSync(tmp, JSON.stringify(value));
      fs.renameSync(tmp, file);
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
    try {
      // Not mkdirSync({ recursive }): under /proc it loops forever at full CPU.
      makeDirs(this.dir!);
      this.usable = fs.statSync(this.dir!).isDirectory();
    } catch {
      this.usable = false;
    }
    if (!this.usable) this.warn(`the validation cache ${this.dir} is not a usable directory (set VALIDATE_CACHE to a directory); validating without it`);
    return this.usable;
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
