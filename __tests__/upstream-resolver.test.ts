/**
 * The upstream resolver: mirror, then cache, then a verified download; and `npm run fetch` on top of it.
 * Downloads go to a local HTTP server on 127.0.0.1 only; every directory written is a fresh temp dir.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { runFetch } from '../lib/cli/fetch';
import { AGENTGATEWAY_CHART_GOLDEN, CERT_MANAGER_MANIFEST, KSERVE_CRDS, UpstreamArtifact } from '../lib/upstream/artifacts';
import { UpstreamDigestMismatchError, UpstreamMissingError, UpstreamResolver } from '../lib/upstream/resolver';

/** The read-only real mirror (same default as the lead's other tests). */
const MIRROR = process.env.UPSTREAM_MIRROR ?? path.join(__dirname, '..', '..', 'shared', 'upstream');

const SERVED = Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: served\n');
const WRONG = Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tampered\n');

let server: http.Server;
let base: string;
/** Paths the local server was asked for, to tell whether a download was attempted. */
const requests: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/x/file.yaml' || req.url === '/x/other.yaml') return void res.end(SERVED);
    if (req.url === '/x/wrong.yaml') return void res.end(WRONG);
    res.statusCode = 404;
    res.end('not found');
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections(); // fetch keeps connections alive; without this close() waits for them
  await new Promise(resolve => server.close(resolve));
});

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach(d => fs.rmSync(d, { recursive: true, force: true })));

/** A fresh empty directory under the OS temp dir, removed after the file's tests. */
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'upstream-resolver-'));
  tempDirs.push(dir);
  return dir;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A made-up artifact on the local server whose pin is the digest of `SERVED`. */
function localArtifact(urlPath: string, pinned: Buffer = SERVED): UpstreamArtifact {
  return { component: 'kserve', version: 'test', url: `${base}${urlPath}`, sha256: sha256(pinned), size: pinned.length };
}

/** Writes `bytes` where a `<host>/<path>` tree keeps `artifact`; returns the file. */
function place(root: string, artifact: UpstreamArtifact, bytes: Buffer): string {
  const file = path.join(root, UpstreamResolver.relativePath(artifact.url));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return file;
}

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter(f => fs.statSync(path.join(dir, f)).isFile())
    .sort();
}

function goldenBytes(): Buffer {
  return fs.readFileSync(path.join(MIRROR, UpstreamResolver.relativePath(AGENTGATEWAY_CHART_GOLDEN.url)));
}

/** Runs `fn` (sync or async) and returns what it threw; fails the test when it does not throw. */
async function thrownBy(fn: () => unknown): Promise<any> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error, none was thrown');
}

describe('reading', () => {
  test('reads a pinned artifact from the mirror, and its bytes have the pinned sha256', () => {
    const resolver = new UpstreamResolver({ mirror: MIRROR, cacheDir: tempDir() });

    const bytes = resolver.read(AGENTGATEWAY_CHART_GOLDEN);

    expect(sha256(bytes)).toBe(AGENTGATEWAY_CHART_GOLDEN.sha256);
    expect(bytes.length).toBe(AGENTGATEWAY_CHART_GOLDEN.size);
    expect(resolver.readText(AGENTGATEWAY_CHART_GOLDEN)).toBe(bytes.toString('utf8'));
  });

  test('falls back to the cache directory when the mirror lacks the file', () => {
    const cacheDir = tempDir();
    place(cacheDir, AGENTGATEWAY_CHART_GOLDEN, goldenBytes());
    const resolver = new UpstreamResolver({ mirror: tempDir(), cacheDir });

    const bytes = resolver.read(AGENTGATEWAY_CHART_GOLDEN);

    expect(sha256(bytes)).toBe(AGENTGATEWAY_CHART_GOLDEN.sha256);
  });

  test('a tampered mirror file throws UpstreamDigestMismatchError naming the URL, the expected and the actual digest', async () => {
    const tampered = Buffer.concat([goldenBytes(), Buffer.from('# tampered\n')]);
    const mirror = tempDir();
    const file = place(mirror, AGENTGATEWAY_CHART_GOLDEN, tampered);
    const resolver = new UpstreamResolver({ mirror, cacheDir: tempDir() });

    const err = await thrownBy(() => resolver.read(AGENTGATEWAY_CHART_GOLDEN));

    expect(err).toBeInstanceOf(UpstreamDigestMismatchError);
    expect(err).toMatchObject({ url: AGENTGATEWAY_CHART_GOLDEN.url, file, actual: sha256(tampered) });
    expect(err.message).toContain(AGENTGATEWAY_CHART_GOLDEN.url);
    expect(err.message).toContain(AGENTGATEWAY_CHART_GOLDEN.sha256);
    expect(err.message).toContain(sha256(tampered));
  });

  test('the mirror wins over the cache: a good mirror copy is used and the (bad) cached copy is never read', () => {
    const cacheDir = tempDir();
    place(cacheDir, AGENTGATEWAY_CHART_GOLDEN, Buffer.from('a corrupt cached copy'));
    const resolver = new UpstreamResolver({ mirror: MIRROR, cacheDir });

    const bytes = resolver.read(AGENTGATEWAY_CHART_GOLDEN);

    expect(sha256(bytes)).toBe(AGENTGATEWAY_CHART_GOLDEN.sha256);
  });
});

describe('missing() and offline ensure()', () => {
  test('missing() lists only the artifacts that are in neither the mirror nor the cache', () => {
    const cacheDir = tempDir();
    const cached = localArtifact('/x/file.yaml');
    place(cacheDir, cached, SERVED);
    const absent = [localArtifact('/x/other.yaml'), CERT_MANAGER_MANIFEST];
    const mirror = tempDir();
    place(mirror, AGENTGATEWAY_CHART_GOLDEN, goldenBytes());
    const resolver = new UpstreamResolver({ mirror, cacheDir });

    const missing = resolver.missing([AGENTGATEWAY_CHART_GOLDEN, cached, ...absent]);

    expect(missing.map(a => a.url)).toEqual(absent.map(a => a.url));
  });

  test('ensure() offline throws one UpstreamMissingError listing every missing URL and how to provide them', async () => {
    const wanted = [CERT_MANAGER_MANIFEST, KSERVE_CRDS, localArtifact('/x/file.yaml')];
    const resolver = new UpstreamResolver({ mirror: tempDir(), cacheDir: tempDir(), allowDownload: false });
    const before = requests.length;

    const err = await thrownBy(() => resolver.ensure(wanted));

    expect(err).toBeInstanceOf(UpstreamMissingError);
    expect(err.urls).toEqual(wanted.map(a => a.url));
    for (const a of wanted) expect(err.message).toContain(a.url);
    expect(err.message).toContain('UPSTREAM_MIRROR');
    expect(err.message).toContain('npm run fetch');
    expect(requests.length).toBe(before);
  });
});

describe('downloads', () => {
  test('ensure() downloads a missing artifact into the cache at <host:port>/<path>, with no temp files left, and read() returns it', async () => {
    const cacheDir = tempDir();
    const artifact = localArtifact('/x/file.yaml');
    const resolver = new UpstreamResolver({ cacheDir });

    await resolver.ensure([artifact]);

    const host = new URL(base).host; // 127.0.0.1:<port>; the port stays in the directory name
    expect(filesUnder(cacheDir)).toEqual([path.join(host, 'x', 'file.yaml')]);
    expect(fs.readFileSync(path.join(cacheDir, host, 'x', 'file.yaml'))).toEqual(SERVED);
    expect(resolver.read(artifact)).toEqual(SERVED);
    // a fresh resolver (no in-memory copy) finds it in the cache
    expect(new UpstreamResolver({ cacheDir, allowDownload: false }).read(artifact)).toEqual(SERVED);
  });

  test('a download whose bytes do not match the pin throws UpstreamDigestMismatchError and leaves nothing in the cache', async () => {
    const cacheDir = tempDir();
    const artifact = localArtifact('/x/wrong.yaml', SERVED); // the server sends WRONG
    const resolver = new UpstreamResolver({ cacheDir });

    const err = await thrownBy(() => resolver.ensure([artifact]));

    expect(err).toBeInstanceOf(UpstreamDigestMismatchError);
    expect(err).toMatchObject({ url: artifact.url, expected: sha256(SERVED), actual: sha256(WRONG) });
    expect(filesUnder(cacheDir)).toEqual([]);
  });

  test('an HTTP 404 yields UpstreamMissingError naming the URL and the status', async () => {
    const artifact = localArtifact('/x/nowhere.yaml');
    const resolver = new UpstreamResolver({ cacheDir: tempDir() });

    const err = await thrownBy(() => resolver.ensure([artifact]));

    expect(err).toBeInstanceOf(UpstreamMissingError);
    expect(err.urls).toEqual([artifact.url]);
    expect(err.message).toContain(artifact.url);
    expect(err.message).toContain('404');
  });
});

describe('fromEnv', () => {
  test('fromEnv takes the mirror from UPSTREAM_MIRROR, the cache from UPSTREAM_CACHE, and UPSTREAM_OFFLINE=1 turns downloads off', async () => {
    const mirror = tempDir();
    const cacheDir = tempDir();
    const artifact = localArtifact('/x/file.yaml');
    const before = requests.length;

    const resolver = UpstreamResolver.fromEnv({ UPSTREAM_MIRROR: mirror, UPSTREAM_CACHE: cacheDir, UPSTREAM_OFFLINE: '1' });

    expect(resolver.mirror).toBe(mirror);
    expect(resolver.cacheDir).toBe(cacheDir);
    await expect(resolver.ensure([artifact])).rejects.toThrow(UpstreamMissingError);
    expect(requests.length).toBe(before);
  });

  test('fromEnv without UPSTREAM_OFFLINE allows downloads into UPSTREAM_CACHE', async () => {
    const cacheDir = tempDir();
    const artifact = localArtifact('/x/file.yaml');

    const resolver = UpstreamResolver.fromEnv({ UPSTREAM_CACHE: cacheDir });
    await resolver.ensure([artifact]);

    expect(resolver.mirror).toBeUndefined();
    expect(filesUnder(cacheDir)).toEqual([UpstreamResolver.relativePath(artifact.url)]);
  });
});

describe('npm run fetch (runFetch)', () => {
  test('runFetch reports each artifact as mirror, cached or fetched, then a summary, and caches what it fetched', async () => {
    const mirror = tempDir();
    place(mirror, AGENTGATEWAY_CHART_GOLDEN, goldenBytes());
    const cacheDir = tempDir();
    const cached = localArtifact('/x/other.yaml');
    place(cacheDir, cached, SERVED);
    const fetched = localArtifact('/x/file.yaml');
    const resolver = new UpstreamResolver({ mirror, cacheDir });
    let out = '';

    await runFetch([AGENTGATEWAY_CHART_GOLDEN, cached, fetched, fetched], resolver, s => { out += s; });

    expect(out).toBe(
      `mirror  ${AGENTGATEWAY_CHART_GOLDEN.url}\n` +
      `cached  ${cached.url}\n` +
      `fetched ${fetched.url}\n` +
      `3 artifact(s) verified: 1 in the mirror, 1 already cached, 1 fetched into ${cacheDir}\n`);
    expect(fs.readFileSync(path.join(cacheDir, UpstreamResolver.relativePath(fetched.url)))).toEqual(SERVED);
  });

  test('runFetch rejects with the resolver error, listing every URL it could not get, and prints no report', async () => {
    const missing = [localArtifact('/x/nowhere.yaml'), localArtifact('/x/gone.yaml')];
    let out = '';

    const err = await thrownBy(() => runFetch(missing, new UpstreamResolver({ cacheDir: tempDir() }), s => { out += s; }));

    expect(err).toBeInstanceOf(UpstreamMissingError);
    expect(err.urls).toEqual(missing.map(a => a.url));
    expect(out).toBe('');
  });
});
