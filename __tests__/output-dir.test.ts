// dist/ is never lost: atomic swaps, a lock between runs, cleanup after dead ones, links kept, truthful failures.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OutputDirError, replaceOutputDir } from '../lib/ops/output-dir';

// rename and rm as themselves, but replaceable for one call, to make a swap or a cleanup fail as a disk would.
jest.mock('fs', () => {
  const real = jest.requireActual('fs');
  return { ...real, renameSync: jest.fn(real.renameSync), rmSync: jest.fn(real.rmSync) };
});
/** Makes the next call of `fn` whose first argument `matches` fail with `message`. */
const failOnce = (fn: 'renameSync' | 'rmSync', matches: (p: string) => boolean, message: string) => {
  const mock = fs[fn] as unknown as jest.Mock;
  const real = jest.requireActual('fs')[fn];
  let failed = false;
  mock.mockImplementation((p: string, ...rest: unknown[]) => {
    if (failed || !matches(p)) return real(p, ...rest);
    failed = true;
    throw Object.assign(new Error(message), { code: message.split(':')[0] });
  });
};
afterEach(() => {
  (fs.renameSync as unknown as jest.Mock).mockImplementation(jest.requireActual('fs').renameSync);
  (fs.rmSync as unknown as jest.Mock).mockImplementation(jest.requireActual('fs').rmSync);
});

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'output-dir-'));
const FILES = 60;

/** Writes a version: FILES files and a manifest, all holding the same tag. */
const writeVersion = (tag: string) => (dir: string) => {
  for (let i = 0; i < FILES; i++) fs.writeFileSync(path.join(dir, `${String(i).padStart(4, '0')}.k8s.yaml`), `tag: ${tag}\n`);
  fs.writeFileSync(path.join(dir, 'manifest'), tag);
  return tag;
};

/** The tag of a complete version at `dir`; throws if `dir` is missing or holds a partial or mixed tree. */
function completeTag(dir: string): string {
  const tag = fs.readFileSync(path.join(dir, 'manifest'), 'utf8');
  const files = fs.readdirSync(dir).filter(f => f !== 'manifest');
  if (files.length !== FILES) throw new Error(`${dir} holds ${files.length} files, not ${FILES}`);
  for (const f of files) if (fs.readFileSync(path.join(dir, f), 'utf8') !== `tag: ${tag}\n`) throw new Error(`${dir}/${f} is not of version ${tag}`);
  return tag;
}

/** A node process running replaceOutputDir `rounds` times (compiled once: plain node starts in a tenth of tsx's time). */
let childScript: string;
beforeAll(() => {
  const ts = require('typescript') as typeof import('typescript');
  const dir = tmp();
  for (const file of ['ops/output-dir', 'shared/durable-file', 'shared/file-lock']) {
    const src = fs.readFileSync(path.join(__dirname, '..', 'lib', `${file}.ts`), 'utf8');
    fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(dir, `${file}.js`), ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText);
  }
  childScript = path.join(dir, 'child.js');
  fs.writeFileSync(childScript, `
const fs = require('fs'), path = require('path');
const { replaceOutputDir } = require('./ops/output-dir.js');
const [outdir, rounds, gate] = process.argv.slice(2);
for (let r = 0; r < Number(rounds); r++) {
  replaceOutputDir(outdir, dir => {
    const tag = process.pid + '-' + r;
    for (let i = 0; i < ${FILES}; i++) fs.writeFileSync(path.join(dir, String(i).padStart(4, '0') + '.k8s.yaml'), 'tag: ' + tag + '\\n');
    fs.writeFileSync(path.join(dir, 'manifest'), tag);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60); // a synth takes a while: readers get time between runs
    while (gate && !fs.existsSync(gate)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }, { onWait: h => process.stderr.write('waiting for ' + h.pid + '\\n') });
}
`);
});
/** A run in a process of its own; with `gate`, each write waits until that file exists (the lock held meanwhile). */
const child = (outdir: string, rounds: number, gate?: string): ChildProcess =>
  spawn(process.execPath, [childScript, outdir, String(rounds), ...(gate ? [gate] : [])], { stdio: ['ignore', 'ignore', 'pipe'] });
const exited = (c: ChildProcess) => new Promise<number | null>(r => (c.exitCode !== null || c.signalCode !== null ? r(c.exitCode) : c.once('exit', code => r(code))));

describe('replaceOutputDir', () => {
  test('makes dist a link to a complete version, swaps versions with one rename, and keeps the previous one until the next swap', () => {
    const parent = tmp();
    const dist = path.join(parent, 'dist');
    expect(replaceOutputDir(dist, writeVersion('a'))).toBe('a');
    expect(fs.lstatSync(dist).isSymbolicLink()).toBe(true);
    const a = fs.realpathSync(dist);
    replaceOutputDir(dist, writeVersion('b'));
    expect(completeTag(dist)).toBe('b');
    expect(completeTag(a)).toBe('a'); // a reader that resolved dist before the swap can finish
    expect(fs.readdirSync(parent).sort()).toEqual(['.dist-versions', 'dist']);
    replaceOutputDir(dist, writeVersion('c'));
    expect(fs.existsSync(a)).toBe(false);
    expect(fs.readdirSync(path.join(parent, '.dist-versions'))).toHaveLength(2);
  });

  test('a failing write leaves dist as it was and no staging directory', () => {
    const parent = tmp();
    const dist = path.join(parent, 'dist');
    replaceOutputDir(dist, writeVersion('a'));
    const link = fs.readlinkSync(dist);
    expect(() => replaceOutputDir(dist, () => { throw new Error('bad props'); })).toThrow('bad props');
    expect(fs.readlinkSync(dist)).toBe(link);
    expect(completeTag(dist)).toBe('a');
    expect(fs.readdirSync(path.join(parent, '.dist-versions'))).toEqual([path.basename(link)]);
  });

  test('what a dead run left that cannot be removed stops the run before it writes, saying dist was left as it was', () => {
    const parent = tmp();
    const dist = path.join(parent, 'dist');
    replaceOutputDir(dist, writeVersion('a'));
    const dead = path.join(parent, '.dist-versions', 'staging-dead');
    fs.mkdirSync(dead);
    failOnce('rmSync', p => p === dead, 'EACCES: permission denied');
    expect(() => replaceOutputDir(dist, writeVersion('b'))).toThrow(`cannot remove ${dead}, left by a synth that died (EACCES: permission denied); dist was left as it was. Remove it by hand and synth again`);
    expect(completeTag(dist)).toBe('a');
  });

  test('an older version that cannot be removed after the swap says dist holds the new output', () => {
    const parent = tmp();
    const dist = path.join(parent, 'dist');
    replaceOutputDir(dist, writeVersion('a'));
    const a = fs.realpathSync(dist);
    replaceOutputDir(dist, writeVersion('b'));
    failOnce('rmSync', p => p === a, 'EACCES: permission denied');
    expect(() => replaceOutputDir(dist, writeVersion('c'))).toThrow(`dist now holds the new output, but ${a}, an older one, could not be removed (EACCES: permission denied); the next synth tries again`);
    expect(completeTag(dist)).toBe('c');
  });

  test('converts a plain directory once, keeping nothing of it', () => {
    const parent = tmp();
    const dist = path.join(parent, 'dist');
    fs.mkdirSync(dist);
    fs.writeFileSync(path.join(dist, 'stale.k8s.yaml'), 'kind: Stale\n');
    replaceOutputDir(dist, writeVersion('a'));
    expect(fs.lstatSync(dist).isSymbolicLink()).toBe(true);
    expect(completeTag(dist)).toBe('a');
    expect(fs.readdirSync(path.join(parent, '.dist-versions')).map(v => v.split('-')[0])).toEqual(['v']);
  });

  test('a dist that is someone else\'s link stays that link; the directory it points at is the one replaced', () => {
    const parent = tmp();
    const elsewhere = path.join(tmp(), 'out');
    fs.mkdirSync(elsewhere);
    const dist = path.join(parent, 'dist');
    fs.symlinkSync(elsewhere, dist);
    replaceOutputDir(dist, writeVersion('a'));
    replaceOutputDir(dist, writeVersion('b'));
    expect(fs.readlinkSync(dist)).toBe(elsewhere);
    expect(completeTag(dist)).toBe('b');
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  });

  test('refuses a dist that is a file, saying so', () => {
    const dist = path.join(tmp(), 'dist');
    fs.writeFileSync(dist, 'not a directory');
    expect(() => replaceOutputDir(dist, writeVersion('a'))).toThrow(new OutputDirError(`${dist} is a file, not a directory; move it away so synth can write the output there`));
  });

  test('removes what dead runs left (staging directories, unlinked versions) and takes over a dead run\'s lock', () => {
    const parent = tmp();
    const dist = path.join(parent, 'dist');
    replaceOutputDir(dist, writeVersion('a'));
    const versions = path.join(parent, '.dist-versions');
    fs.mkdirSync(path.join(versions, 'staging-dead'));
    fs.writeFileSync(path.join(versions, 'staging-dead', 'big.yaml'), 'x');
    fs.mkdirSync(path.join(versions, 'v-orphan'));
    fs.writeFileSync(path.join(versions, `lock-${2 ** 22 + 1}-abc.tmp`), '{}');
    fs.writeFileSync(path.join(versions, 'lock'), JSON.stringify({ pid: 2 ** 22 + 1, since: '2026-01-01T00:00:00Z' }));
    const before = fs.realpathSync(dist);
    replaceOutputDir(dist, writeVersion('b'));
    expect(completeTag(dist)).toBe('b');
    expect(fs.readdirSync(versions).sort()).toEqual([path.basename(fs.readlinkSync(dist)), path.basename(before)].sort());
  });

  test('a failed swap says truthfully what state it left, and removes the new output', () => {
    const parent = tmp();
    const dist = path.join(parent, 'dist');
    replaceOutputDir(dist, writeVersion('a'));
    const link = fs.readlinkSync(dist);
    failOnce('renameSync', p => path.basename(p).startsWith('link-'), 'EIO: i/o error, rename');
    expect(() => replaceOutputDir(dist, writeVersion('b'))).toThrow(`the new output was complete, but dist could not be switched to it (EIO: i/o error, rename); dist still points to ${link}, the previous output. The new output was removed.`);
    expect(completeTag(dist)).toBe('a');
    expect(fs.readdirSync(path.join(parent, '.dist-versions'))).toEqual([path.basename(link)]);
  });

  test('two runs at once are serialized: the second waits, saying for whom, and both versions land whole', async () => {
    const dist = path.join(tmp(), 'dist');
    const gate = path.join(tmp(), 'gate');
    // The first run holds the lock until the test opens the gate, so the second surely finds it held.
    const a = child(dist, 1, gate);
    const until = async (what: string, done: () => boolean) => {
      while (!done()) {
        if (a.exitCode !== null) throw new Error(`the first run exited before ${what}`);
        await new Promise(r => setTimeout(r, 10));
      }
    };
    await until('taking the lock', () => fs.existsSync(path.join(path.dirname(dist), '.dist-versions', 'lock')));
    const b = child(dist, 1);
    let said = '';
    b.stderr!.on('data', d => (said += d));
    await until('the second run waited', () => /waiting for \d+/.test(said));
    fs.writeFileSync(gate, '');
    expect(await Promise.all([exited(a), exited(b)])).toEqual([0, 0]);
    expect(said).toBe(`waiting for ${a.pid}\n`);
    expect(completeTag(dist)).toBe(`${b.pid}-0`);
  }, 20_000);

  test('killed at any moment, it leaves a complete dist, and readers never see none or a mix', async () => {
    const dist = path.join(tmp(), 'dist');
    replaceOutputDir(dist, writeVersion('first'));
    let reads = 0;
    for (let round = 0; round < 8; round++) {
      const c = child(dist, 1000);
      const killAt = Date.now() + 30 + Math.random() * 250;
      // Read dist/ as kubectl would, as often as possible, until the moment to kill comes.
      while (Date.now() < killAt) {
        completeTag(fs.realpathSync(dist));
        reads++;
        await new Promise(r => setImmediate(r));
      }
      c.kill('SIGKILL');
      await exited(c);
      completeTag(dist);
    }
    expect(reads).toBeGreaterThanOrEqual(8); // at least one read in each round, however loaded the machine
    // The next run cleans up after the killed ones: one version left.
    replaceOutputDir(dist, writeVersion('last'));
    expect(fs.readdirSync(path.join(path.dirname(dist), '.dist-versions'))).toHaveLength(2);
  }, 30_000);
});
