/**
 * `npm run fetch [-- --all]`: while online, downloads the pinned upstream artifacts into the cache, so that later
 * synths work offline. By default it fetches what the app in main.ts needs; `--all` fetches every pinned file
 * (including test fixtures and the CRDs used only for imports/).
 *
 * Every byte is checked against its pinned sha256 by the resolver; this CLI only chooses what to fetch and says
 * where each file came from.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ALL_ARTIFACTS, UpstreamArtifact } from '../upstream/artifacts';
import { PLATFORM_COMPONENTS } from '../upstream/components';
import { CommandDoc, runDocumentedMain } from './command';
import { UpstreamResolver } from '../upstream/resolver';

/** Where an artifact was found: the mirror, the cache from an earlier fetch, or a download just now. */
export type FetchSource = 'mirror' | 'cached' | 'fetched';

/** One line of the report. */
export interface FetchResult {
  readonly artifact: UpstreamArtifact;
  readonly source: FetchSource;
}

/**
 * Makes every artifact available in `resolver` (downloading and caching what is missing), then writes one line per
 * artifact and a summary. Throws the resolver's error (which lists every missing URL) when something cannot be had.
 */
export async function runFetch(
  artifacts: readonly UpstreamArtifact[],
  resolver: UpstreamResolver,
  write: (s: string) => void = s => process.stdout.write(s),
): Promise<FetchResult[]> {
  const wanted = [...new Map(artifacts.map(a => [a.url, a])).values()];
  // Decided before ensure(): afterwards everything is present and a download looks like any cache hit.
  // missing() also verifies the digest of every file already present.
  const absent = new Set(resolver.missing(wanted).map(a => a.url));
  await resolver.ensure(wanted);

  const results = wanted.map((artifact): FetchResult => ({
    artifact,
    source: absent.has(artifact.url) ? 'fetched' : inMirror(resolver, artifact) ? 'mirror' : 'cached',
  }));
  const count = (s: FetchSource) => results.filter(r => r.source === s).length;
  write(results.map(r => `${r.source.padEnd(7)} ${r.artifact.url}\n`).join(''));
  write(`${results.length} artifact(s) verified: ${count('mirror')} in the mirror, ${count('cached')} already cached, ` +
    `${count('fetched')} fetched into ${resolver.cacheDir}\n`);
  return results;
}

/**
 * Whether the resolver read this artifact from its mirror. The resolver looks in the mirror first and never falls
 * through past a file it finds there, so a file at the mirror path is the one it used.
 */
function inMirror(resolver: UpstreamResolver, artifact: UpstreamArtifact): boolean {
  return !!resolver.mirror && fs.existsSync(path.join(resolver.mirror, UpstreamResolver.relativePath(artifact.url)));
}

/** `npm run fetch`'s description: its --help and its flags. */
export const FETCH: CommandDoc = {
  command: 'npm run fetch --',
  summary: 'While online, downloads the pinned upstream artifacts into the cache (each checked against its sha256), so that\n' +
    'later synths work offline. By default it fetches what the app needs.',
  flags: [{ name: 'all', description: 'fetch every pinned file, including test fixtures and the CRDs used only for imports/' }],
  env: [
    ['UPSTREAM_MIRROR', 'a directory mirroring the upstream files by URL, read first'],
    ['UPSTREAM_CACHE', 'where downloads are kept (default: .cache/upstream)'],
    ['UPSTREAM_OFFLINE', 'when 1, never download: only the mirror and the cache are read'],
  ],
  exit: ['0  every artifact is available', '1  one or more could not be had (each is named)'],
  examples: ['npm run fetch', 'npm run fetch -- --all'],
};

if (require.main === module) {
  runDocumentedMain('fetch', FETCH, async flags => {
    // Every file any configuration of the platform may read; --all adds the test-only files (chart golden render,
    // CRD sources).
    await runFetch(flags.all === true ? ALL_ARTIFACTS : PLATFORM_COMPONENTS.flatMap(c => c.artifacts), UpstreamResolver.default());
  });
}
