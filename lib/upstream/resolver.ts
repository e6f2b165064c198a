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
      cacheDir: env.UPSTREAM_CACHE || undefined,
      allowDownload: env.UPSTREAM_OFFLINE !== '1' && env.UPSTREAM_OFFLINE !== 'true',
    });
  }

  /** The shared resolver used when a construct is not given one (configured from the environment once). */
  public static default(): UpstreamResolver {
    if (!defaultResolver) defaultResolver = UpstreamResolver.fromEnv();
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

  /** The artifacts that are in neither the mirror nor the cache. Throws on a digest mismatch. */
  public missing(artifacts: readonly UpstreamArtifact[]): UpstreamArtifact[] {
    return unique(artifacts).filter(a => !this.memo.has(a.url) && !this.locate(a));
  }

  /**
   * Makes every artifact readable: downloads what is missing (when allowed), verifies it and caches it
   * atomically. Throws one error listing every artifact it could not provide.
   */
  public async ensure(artifacts: readonly UpstreamArtifact[]): Promise<void> {
    const missing = this.missing(artifacts);
    if (missing.length === 0) return;
    if (!this.allowDownload) {
      throw new UpstreamMissingError(missing.map(a => a.url), this, missing.map(() => 'downloads are off: UPSTREAM_OFFLINE=1'));
    }
    const results = await Promise.allSettled(missing.map(a => this.download(a)));
    const failed = missing.filter((_, i) => results[i].status === 'rejected');
    const mismatch = results.find(r => r.status === 'rejected' && r.reason instanceof UpstreamDigestMismatchError);
    if (mismatch) throw (mismatch as PromiseRejectedResult).reason;
    if (failed.length > 0) {
      const reasons = results.filter(r => r.status === 'rejected').map(r => String((r as PromiseRejectedResult).reason?.message ?? r));
      throw new UpstreamMissingError(failed.map(a => a.url), this, reasons);
    }
  }

  /** Where an artifact lives inside a `<host>/<path>` tree. */
  public static relativePath(url: string): string {
    const u = new URL(url);
    return path.join(u.host, ...u.pathname.split('/').filter(Boolean).map(decodeURIComponent));
  }

  private locate(artifact: UpstreamArtifact): Buffer | undefined {
    const rel = UpstreamResolver.relativePath(artifact.url);
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
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, dest);
    this.memo.set(artifact.url, bytes);
  }
}

let defaultResolver: UpstreamResolver | undefined;

function verify(artifact: UpstreamArtifact, bytes: Buffer, where: string): void {
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== artifact.sha256) throw new UpstreamDigestMismatchError(artifact.url, where, artifact.sha256, actual);
}

function defaultCacheDir(): string {
  if (process.env.UPSTREAM_CACHE) return process.env.UPSTREAM_CACHE;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'kserve-agentgateway-stack', 'upstream');
}

function unique(artifacts: readonly UpstreamArtifact[]): UpstreamArtifact[] {
  return [...new Map(artifacts.map(a => [a.url, a])).values()];
}
