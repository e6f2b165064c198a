import { execFile, execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hashKey, parseKeysFile, readKeysFile, serializeKeysFile, updateKeysFile, writeKeysFile } from '../lib/app/api-keys-file';
import type { KeysIo } from '../lib/cli/keys';
import { runKeys } from '../lib/cli/keys';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'keys-test-'));
const run = (args: string[], options: Partial<KeysIo> = {}) => {
  let out = '';
  let err = '';
  const code = runKeys(args, { out: s => (out += s), err: s => (err += s), now: () => new Date('2026-12-01T09:00:00.123Z'), ...options }, {});
  return { code, out, err };
};
const HASH = (c: string) => `sha256:${c.repeat(64)}`;

// A process test waits for its processes; each is killed after CHILD_MS, well before the test gives up at TEST_MS.
const CHILD_MS = 20_000;
const TEST_MS = 40_000;

/** `npm run keys -- ...` as a process of its own (node with tsx's loader); never rejects, so every one is awaited. */
function keysProcess(args: string[], env: NodeJS.ProcessEnv, shell?: string): Promise<{ code: number | null; out: string; err: string }> {
  const cli = [process.execPath, '--require', 'tsx/cjs', path.join(__dirname, '..', 'lib', 'cli', 'keys.ts'), ...args];
  const [file, argv] = shell ? ['bash', ['-c', `${shell}; exec "$@"`, 'keys', ...cli]] : [cli[0], cli.slice(1)];
  return new Promise(resolve => {
    execFile(file, argv, { cwd: path.join(__dirname, '..'), env: { ...process.env, ...env }, timeout: CHILD_MS }, (e: any, out, err) => resolve({ code: e ? e.code ?? null : 0, out, err }));
  });
}

/** Every byte under `dir`, so a test can say a string was written nowhere. */
function everythingUnder(dir: string): string {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(e => e.isFile())
    .map(e => fs.readFileSync(path.join(e.parentPath ?? (e as any).path, e.name), 'latin1'))
    .join('\n');
}

describe('npm run keys', () => {
  test('add prints a new key once on stdout and records only its sha256 hash', () => {
    const dir = tmp();
    const file = path.join(dir, 'config', 'api-keys.json');
    const { code, out, err } = run(['add', '--tenant', 'team-a', '--tier', 'standard', '--file', file]);
    expect(code).toBe(0);
    const key = out.trim();
    expect(key).toMatch(/^agwk_[A-Za-z0-9_-]{43}$/);
    expect(err).toMatch(/only time the key is shown/);
    const recorded = readKeysFile(file);
    expect(recorded.tenants).toEqual({ 'team-a': { tier: 'standard' } });
    expect(recorded.keys).toEqual([{ id: expect.stringMatching(/^team-a-[0-9a-f]{8}$/), tenant: 'team-a', keyHash: hashKey(key), created: '2026-12-01T09:00:00Z' }]);
    // The plaintext key, in any of its encodings, is nowhere on disk under the directory the CLI wrote to.
    const disk = everythingUnder(dir);
    for (const form of [key, key.slice(5), Buffer.from(key.slice(5), 'base64url').toString('hex'), Buffer.from(key.slice(5), 'base64url').toString('base64')]) {
      expect(disk.includes(form)).toBe(false);
    }
    expect(disk).toContain(hashKey(key));
  });

  test('the hash is what agentgateway compares: sha256 of the key bytes, lower-case hex', () => {
    // echo -n k-123 | sha256sum
    const expected = execFileSync('sha256sum', { input: 'k-123' }).toString().split(' ')[0];
    expect(hashKey('k-123')).toBe(`sha256:${expected}`);
  });

  test('two keys for one tenant differ; a second add needs no tier; list shows ids and tiers, never keys', () => {
    const file = path.join(tmp(), 'k.json');
    const a = run(['add', '--tenant', 'team-a', '--tier', 'standard', '--file', file]).out.trim();
    const b = run(['add', '--tenant', 'team-a', '--file', file]).out.trim();
    expect(a).not.toBe(b);
    const { code, out } = run(['list', '--file', file]);
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toMatch(/^ID\s+TENANT\s+TIER\s+CREATED\s+HASH$/);
    expect(out.match(/team-a-[0-9a-f]{8}\s+team-a\s+standard/g)).toHaveLength(2);
    expect(out.includes(a) || out.includes(b)).toBe(false);
  });

  test('refuses a new tenant without a tier, and a tier that contradicts the recorded one', () => {
    const file = path.join(tmp(), 'k.json');
    expect(run(['add', '--tenant', 'team-a', '--file', file])).toMatchObject({ code: 1, err: expect.stringMatching(/tenant team-a is new: pass --tier TIER/) });
    expect(fs.existsSync(file)).toBe(false);
    run(['add', '--tenant', 'team-a', '--tier', 'standard', '--file', file]);
    const before = fs.readFileSync(file, 'utf8');
    expect(run(['add', '--tenant', 'team-a', '--tier', 'premium', '--file', file])).toMatchObject({ code: 1, err: expect.stringMatching(/on tier standard, not premium/) });
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });

  test('revoke by id or by tenant removes only those keys', () => {
    const file = path.join(tmp(), 'k.json');
    run(['add', '--tenant', 'team-a', '--tier', 'standard', '--file', file]);
    run(['add', '--tenant', 'team-b', '--tier', 'premium', '--file', file]);
    run(['add', '--tenant', 'team-b', '--file', file]);
    const [first] = readKeysFile(file).keys;
    expect(run(['revoke', '--id', first.id, '--file', file]).code).toBe(0);
    expect(readKeysFile(file).keys.map(k => k.tenant)).toEqual(['team-b', 'team-b']);
    expect(run(['revoke', '--tenant', 'team-b', '--file', file]).code).toBe(0);
    expect(readKeysFile(file).keys).toEqual([]);
    expect(run(['revoke', '--id', 'nope', '--file', file])).toMatchObject({ code: 1, err: expect.stringMatching(/no key with id nope/) });
  });

  test('bad arguments exit 2 with the usage', () => {
    expect(run(['add', '--tenant', 'Team_A', '--tier', 'x'])).toMatchObject({ code: 2, err: expect.stringMatching(/--tenant must be a DNS-1123 label[\s\S]*usage:/) });
    expect(run(['rotate'])).toMatchObject({ code: 2, err: expect.stringMatching(/unknown command "rotate"/) });
    expect(run(['revoke', '--id', 'a', '--tenant', 'b'])).toMatchObject({ code: 2 });
    expect(run(['list', '--bogus'])).toMatchObject({ code: 2, err: expect.stringMatching(/bogus/) });
    expect(runKeys(['list'], { out: () => {}, err: () => {} }, { KEYS_FILE: '' })).toBe(2);
  });

  test('a keys file holding a plaintext key or a bad hash is refused with the reason', () => {
    const good = serializeKeysFile({ version: 1, tenants: { a: { tier: 't' } }, keys: [{ id: 'a-1', tenant: 'a', keyHash: `sha256:${'0'.repeat(64)}`, created: 'x' }] });
    expect(parseKeysFile(good).keys).toHaveLength(1);
    const withKey = good.replace('"tenant": "a",', '"tenant": "a", "key": "agwk_oops",');
    expect(() => parseKeysFile(withKey, 'k.json')).toThrow(/k.json: keys\[0\] \(id "a-1"\) holds a plaintext "key"/);
    expect(() => parseKeysFile(good.replace('0'.repeat(64), 'xyz'), 'k.json')).toThrow(/keyHash must be "sha256:" followed by 64 hex digits/);
  });

  test('refuses, all at once, a tenant that is no DNS label or is a name every JavaScript object has, and a tier the stack does not define', () => {
    const file = path.join(tmp(), 'k.json');
    const bad = run(['add', '--tenant', 'constructor', '--tier', 'gold', '--file', file]);
    expect(bad).toMatchObject({ code: 2, out: '' });
    expect(bad.err).toMatch(/2 problems:\n  - --tenant must be a DNS-1123 label [^\n]*not "constructor"[^\n]*, got "constructor"\n  - --tier must be one of the tiers the stack defines \(standard, premium\), got "gold"/);
    expect(run(['add', '--tenant', '__proto__', '--tier', 'standard', '--file', file]).code).toBe(2);
    expect(fs.existsSync(file)).toBe(false);
    // A tier the stack defines is accepted; the file stays readable by every later command.
    expect(run(['add', '--tenant', 'team-a', '--tier', 'premium', '--file', file]).code).toBe(0);
    expect(run(['list', '--file', file]).code).toBe(0);
  });

  test('a keys file is refused with every problem named: prototype names, one hash on two tenants, unknown fields', () => {
    const text = JSON.stringify({
      version: 1,
      tenants: { 'constructor': { tier: 'standard' }, 'team-a': { tier: 'standard', note: 'x' }, 'team-b': { tier: 'premium' } },
      keys: [
        { id: 'a-1', tenant: 'team-a', keyHash: HASH('a'), created: 'x' },
        { id: 'b-1', tenant: 'team-b', keyHash: HASH('A'), created: 'x' },
        { id: '__proto__', tenant: 'team-b', keyHash: HASH('b'), created: 'x' },
      ],
    });
    const problems = (() => { try { parseKeysFile(text, 'k.json'); return ''; } catch (e: any) { return e.message; } })();
    expect(problems).toMatch(/^k.json: 4 problems:/);
    expect(problems).toMatch(/tenants: "constructor" is not a tenant name/);
    expect(problems).toMatch(/tenants.team-a has an unknown field "note"/);
    expect(problems).toMatch(/keys\[1\] \(id "b-1"\): keyHash is also the hash of key "a-1" \(tenant "team-a"\): one key belongs to one tenant/);
    expect(problems).toMatch(/keys\[2\].id must be [^\n]*not a name every JavaScript object has, got "__proto__"/);
  });

  test('list and revoke say so when a named keys file does not exist; list on the default one says how to make it', () => {
    const dir = tmp();
    expect(run(['list', '--file', path.join(dir, 'typo.json')])).toMatchObject({ code: 1, err: expect.stringMatching(/keys file .*typo.json does not exist: check the path/) });
    expect(run(['revoke', '--id', 'x', '--file', path.join(dir, 'typo.json')])).toMatchObject({ code: 1, err: expect.stringMatching(/does not exist: nothing to revoke/) });
    expect(run(['list'], { cwd: dir })).toMatchObject({ code: 0, out: expect.stringMatching(/no keys yet: .*config\/api-keys.json does not exist \(`npm run keys -- add` creates it\)/) });
    expect(fs.existsSync(path.join(dir, 'typo.json'))).toBe(false);
  });

  test('writes the keys file readable by its owner only, and leaves no lock or temporary file behind', () => {
    const dir = tmp();
    const file = path.join(dir, 'k.json');
    run(['add', '--tenant', 'team-a', '--tier', 'standard', '--file', file]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['k.json']);
  });

  test('a change that would make the file unreadable is not written: the previous content stays', () => {
    const file = path.join(tmp(), 'k.json');
    run(['add', '--tenant', 'team-a', '--tier', 'standard', '--file', file]);
    const before = fs.readFileSync(file, 'utf8');
    const current = readKeysFile(file);
    expect(() => updateKeysFile(file, c => ({ next: { ...c, keys: [...c.keys, { ...c.keys[0], id: 'copy' }] }, result: 0 })))
      .toThrow(/keys\[1\] \(id "copy"\): keyHash is also the hash of key/);
    expect(() => writeKeysFile(file, { ...current, tenants: { ...current.tenants, 'constructor': { tier: 'standard' } } })).toThrow(/"constructor" is not a tenant name/);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });

  test('waits for a live holder of the lock, saying who, then gives up naming it and how to clear it; nothing is written', () => {
    const dir = tmp();
    const file = path.join(dir, 'k.json');
    const holder = { pid: process.pid, host: os.hostname(), command: 'npm run keys -- revoke', since: '2026-12-01T09:00:00.000Z' };
    fs.writeFileSync(`${file}.lock`, JSON.stringify(holder));
    let clock = 0;
    const result = run(['add', '--tenant', 'team-a', '--tier', 'standard', '--file', file], { lock: { timeoutMs: 30_000, now: () => clock, sleep: ms => (clock += ms) } });
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toContain(`keys: waiting for pid ${process.pid} on host ${os.hostname()} (npm run keys -- revoke, since 2026-12-01T09:00:00.000Z) to finish with ${file}\n`);
    expect(result.err).toContain(`gave up after 30 s waiting for ${file}.lock, held by pid ${process.pid}`);
    expect(result.err).toContain(`remove ${file}.lock and run the command again; no key was issued`);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readFileSync(`${file}.lock`, 'utf8')).toBe(JSON.stringify(holder));
  });

  test('takes over a lock whose holder process is gone', () => {
    const dir = tmp();
    const file = path.join(dir, 'k.json');
    const dead = spawnSync(process.execPath, ['-e', '']).pid; // exited: its pid runs nothing now
    fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: dead, host: os.hostname(), command: 'npm run keys -- add', since: '2026-12-01T09:00:00.000Z' }));
    const { code, out } = run(['add', '--tenant', 'team-a', '--tier', 'standard', '--file', file], { lock: { timeoutMs: 0 } });
    expect(code).toBe(0);
    expect(readKeysFile(file).keys[0].keyHash).toBe(hashKey(out.trim()));
    expect(fs.readdirSync(dir)).toEqual(['k.json']);
  });
});

describe('npm run keys, as a process', () => {
  test('prints the key on stdout alone, and neither the keys file nor its temp directory holds it', () => {
    const dir = tmp();
    const file = path.join(dir, 'api-keys.json');
    const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
    const stdout = execFileSync(tsx, [path.join(__dirname, '..', 'lib', 'cli', 'keys.ts'), 'add', '--tenant', 'team-a', '--tier', 'standard'], {
      env: { ...process.env, KEYS_FILE: file, TMPDIR: dir },
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: CHILD_MS,
    }).toString();
    const key = stdout.trim();
    expect(stdout).toBe(`${key}\n`);
    expect(readKeysFile(file).keys[0].keyHash).toBe(hashKey(key));
    expect(everythingUnder(dir).includes(key.slice(5))).toBe(false);
  }, TEST_MS);

  test('ten concurrent adds beside four revokes: all ten printed keys are recorded, and every revoked key stays revoked', async () => {
    const file = path.join(tmp(), 'api-keys.json');
    for (let i = 0; i < 4; i++) run(['add', '--tenant', 'old', '--tier', 'standard', '--file', file]);
    const old = readKeysFile(file).keys.map(k => k.id);
    const [adds, revokes] = await Promise.all([
      Promise.all(Array.from({ length: 10 }, (_, i) => keysProcess(['add', '--tenant', `team-${i}`, '--tier', i % 2 ? 'standard' : 'premium'], { KEYS_FILE: file }))),
      Promise.all(old.map(id => keysProcess(['revoke', '--id', id], { KEYS_FILE: file }))),
    ]);
    expect([...adds, ...revokes].map(r => r.code)).toEqual(Array(14).fill(0));
    const recorded = readKeysFile(file);
    expect(recorded.keys.map(k => k.keyHash).sort()).toEqual(adds.map(r => hashKey(r.out.trim())).sort());
    expect(recorded.keys.map(k => k.tenant).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `team-${i}`).sort());
  }, TEST_MS);

  test('a failed write (the file size limit) leaves the previous file and prints no key', async () => {
    const file = path.join(tmp(), 'api-keys.json');
    for (let i = 0; i < 8; i++) run(['add', '--tenant', 'team-a', '--tier', 'standard', '--file', file]);
    const before = fs.readFileSync(file, 'utf8');
    expect(before.length).toBeGreaterThan(1024);
    // SIGXFSZ ignored: a write past 1 KiB fails with EFBIG, as a full disk fails with ENOSPC.
    const r = await keysProcess(['add', '--tenant', 'team-a'], { KEYS_FILE: file }, 'trap "" XFSZ; ulimit -f 1');
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toMatch(/cannot write .*api-keys.json \(EFBIG\); it was left as it was; no key was issued/);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['api-keys.json']);
  }, TEST_MS);

  (process.platform === 'linux' ? test : test.skip)('a keys file under /proc fails at once with the reason, never spinning', async () => {
    const r = await keysProcess(['add', '--tenant', 'team-a', '--tier', 'standard', '--file', '/proc/x/k'], {});
    expect(r).toMatchObject({ code: 2, out: '', err: expect.stringMatching(/cannot create directory \/proc\/x \(ENOENT\); no key was issued/) });
  }, TEST_MS);
});
