import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UpstreamArtifact } from './artifacts';

/** Options for {@link UpstreamResolver}. */
export interface UpstreamResolverOptions {
  /**
   * A directory laid out as `<host>/<path>` of each artifact's URL (like `../shared/upstream/`), read first.
   * @default - none (`UPSTREAM_MIRROR` when built with `fromEnv()`)
   */
  readonly mirror?: string;
  /**
   * Where verified downloads are kept, in the same `<host>/<path>` layout.
   * @default `$UPSTREAM_CACHE`, else `$XDG_CACHE_HOME/kserve-agentgateway-stack/upstream`, else `~/.cache/...`
   */
  readonly cacheDir?: string;
  /**
   * Whether `ensure()` may download missing artifacts over HTTPS.
   * @default true, unless `UPSTREAM_OFFLINE=1`
   */
  readonly allowDownload?: boolean;
  /**
   * Give up on one download after this many milliseconds.
   * @default 60000
   */
  readonly downloadTimeoutMs?: number;
}

/** A file was found but its bytes are not the pinned ones. */
export class UpstreamDigestMismatchError extends Error {
  constructor(
    public readonly url: string,
    public readonly file: string,
    public readonly expected: string,
    public readonly actual: string,
  ) {
    super(`sha256 mismatch for ${url} (read from ${file}): expected ${expected}, got ${actual}. ` +
      'The file is corrupt or was changed: restore it from upstream, or delete it so the resolver fetches it again.');
    this.name = 'UpstreamDigestMismatchError';
  }
}

/** Artifacts are in neither the mirror nor the cache, and could not be downloaded. */
export class UpstreamMissingError extends Error {
  constructor(public readonly urls: readonly string[], resolver: UpstreamResolver, reasons: readonly string[] = []) {
    const list = urls.map((u, i) => `  - ${u}${reasons[i] ? ` (${reasons[i]})` : ''}`).join('\n');
    super(`${urls.length} pinned upstream artifact(s) are not available:\n${list}\n` +
      'Provide them in one of these ways:\n' +
      `  - set UPSTREAM_MIRROR to a directory laid out as <host>/<path> of each URL (e.g. UPSTREAM_MIRROR=../shared/upstream)${resolver.mirror ? `; now ${resolver.mirror}` : ''};\n` +
      `  - or run \`npm run fetch\` while online, which downloads, verifies and caches them in ${resolver.cacheDir}.`);
    this.name = 'UpstreamMissingError';
  }
}

/**
 * `../shared/upstream` beside this project's checkout, if there is one: found from the checkout's root (the nearest
 * directory above this file with a package.json, whether running from the sources or from `build/`). An installed
 * copy of the package (under node_modules) has no such neighbour.
 */
function siblingMirror(): string | undefined {
  if (__dirname.split(path.sep).includes('node_modules')) return undefined;
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) {
      const sibling = path.resolve(dir, '..', 'shared', 'upstream');
      return fs.existsSync(sibling) ? sibling : undefined;
    }
  }
  return undefined;
}

/**
 * The one way the program reads upstream files: the mirror directory, then the cache, then (in `ensure()` only)
 * a verified HTTPS download. Every byte returned has the pinned sha256.
 *
 * Reads are synchronous so constructs can use them; downloads are asynchronous, so CLIs call `ensure()` first.
 */
export class UpstreamResolver {
  /** A resolver configured from `UPSTREAM_MIRROR`, `UPSTREAM_CACHE` and `UPSTREAM_OFFLINE`. */
  public static fromEnv(env: NodeJS.ProcessEnv = process.env): UpstreamResolver {
    return new UpstreamResolver({
      mirror: env.UPSTREAM_MIRROR || undefined,
      cacheDir: defaultCacheDir(env),
      allowDownload: env.UPSTREAM_OFFLINE !== '1' && env.UPSTREAM_OFFLINE !== 'true',
    });
  }

  /**
   * The shared resolver used when a construct is not given one, configured from the environment once. Without
   * `UPSTREAM_MIRROR`, a mirror laid out beside the checkout (`../shared/upstream`) is used when there is one.
   */
  public static default(): UpstreamResolver {
    if (!defaultResolver) {
      const sibling = siblingMirror();
      const env = process.env.UPSTREAM_MIRROR || !sibling ? process.env : { ...process.env, UPSTREAM_MIRROR: sibling };
      defaultResolver = UpstreamResolver.fromEnv(env);
    }
    return defaultResolver;
  }

  /** Absolute mirror directory, if any. */
  public readonly mirror?: string;
  /** Absolute cache directory. */
  public readonly cacheDir: string;
  private readonly allowDownload: boolean;
  private readonly downloadTimeoutMs: number;
  private readonly memo = new Map<string, Buffer>();

  constructor(options: UpstreamResolverOptions = {}) {
    this.mirror = options.mirror ? path.resolve(options.mirror) : undefined;
    this.cacheDir = path.resolve(options.cacheDir ?? defaultCacheDir());
    this.allowDownload = options.allowDownload ?? true;
    this.downloadTimeoutMs = options.downloadTimeoutMs ?? 60_000;
  }

  /** The verified bytes of an artifact. Throws when it is missing or its digest differs. */
  public read(artifact: UpstreamArtifact): Buffer {
    const hit = this.memo.get(artifact.url);
    if (hit) return hit;
    const found = this.locate(artifact);
    if (!found) throw new UpstreamMissingError([artifact.url], this);
    this.memo.set(artifact.url, found);
    return found;
  }

  /** The verified text (UTF-8) of an artifact. */
  public readText(artifact: UpstreamArtifact): string {
    return this.read(artifact).toString('utf8');
  }

  /**
   * The artifacts that are in neither the mirror nor the cache. A corrupt mirror copy throws (the mirror is not
   * ours to repair); a corrupt cache copy counts as missing, so `ensure()` downloads it again.
   */
  public missing(artifacts: readonly UpstreamArtifact[]): UpstreamArtifact[] {
    return unique(artifacts).filter(a => !this.memo.has(a.url) && !this.locate(a, true));
  }

  /**
   * Makes every artifact readable: downloads what is missing (when allowed), verifies it and caches it
   * atomically. Throws one error listing every artifact it could not provide.
   */
  public async ensure(artifacts: readonly UpstreamArtifact[]): Promise<void> {
    const missing = this.missing(artifacts);
    if (missing.length === 0) return;
    if (!this.allowDownload) {
      throw new UpstreamMissingError(missing.map(a => a.url), this, missing.map(() => 'downloads are off (UPSTREAM_OFFLINE or allowDownload: false)'));
    }
    const results = await Promise.allSettled(missing.map(a => this.download(a)));
    const failures = missing.flatMap((a, i) => {
      const r = results[i];
      return r.status === 'rejected' ? [{ url: a.url, reason: r.reason as Error }] : [];
    });
    if (failures.length === 1 && failures[0].reason instanceof UpstreamDigestMismatchError) throw failures[0].reason;
    if (failures.length > 0) {
      throw new UpstreamMissingError(failures.map(f => f.url), this, failures.map(f => f.reason?.message ?? String(f.reason)));
    }
  }

  /** Where an artifact lives inside a `<host>/<path>` tree. */
  public static relativePath(url: string): string {
    const u = new URL(url);
    return path.join(u.host, ...u.pathname.split('/').filter(Boolean).map(decodeURIComponent));
  }

  private locate(artifact: UpstreamArtifact, corruptCacheIsMissing = false): Buffer | undefined {
    const rel = UpstreamResolver.relativePath(artifact.url);
    if (this.mirror && !fs.existsSync(this.mirror)) {
      throw new Error(`UPSTREAM_MIRROR is ${this.mirror}, which does not exist: point it at a directory laid out as <host>/<path> (e.g. ../shared/upstream), or unset it`);
    }
    for (const root of [this.mirror, this.cacheDir]) {
      if (!root) continue;
      const file = path.join(root, rel);
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(file);
      } catch (e: any) {
        if (e.code === 'ENOENT' || e.code === 'ENOTDIR') continue;
        throw e;
      }
      if (corruptCacheIsMissing && root === this.cacheDir && sha256(bytes) !== artifact.sha256) return undefined;
      verify(artifact, bytes, file);
      this.memo.set(artifact.url, bytes);
      return bytes;
    }
    return undefined;
  }

  private async download(artifact: UpstreamArtifact): Promise<void> {
    const res = await fetch(artifact.url, { redirect: 'follow', signal: AbortSignal.timeout(this.downloadTimeoutMs) });
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    verify(artifact, bytes, artifact.url);
    const dest = path.join(this.cacheDir, UpstreamResolver.relativePath(artifact.url));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const tmp = `${dest}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      fs.writeFileSync(tmp, bytes);
      fs.renameSync(tmp, dest);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw e;
    }
    this.memo.set(artifact.url, bytes);
  }
}

let defaultResolver: UpstreamResolver | undefined;

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function verify(artifact: UpstreamArtifact, bytes: Buffer, where: string): void {
  const actual = sha256(bytes);
  if (actual !== artifact.sha256) throw new UpstreamDigestMismatchError(artifact.url, where, artifact.sha256, actual);
}

function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.UPSTREAM_CACHE) return env.UPSTREAM_CACHE;
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'kserve-agentgateway-stack', 'upstream');
}

function unique(artifacts: readonly UpstreamArtifact[]): UpstreamArtifact[] {
  return [...new Map(artifacts.map(a => [a.url, a])).values()];
}
