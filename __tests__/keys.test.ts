import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hashKey, parseKeysFile, readKeysFile, serializeKeysFile } from '../lib/app/api-keys-file';
import { runKeys } from '../lib/cli/keys';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'keys-test-'));
const run = (args: string[]) => {
  let out = '';
  let err = '';
  const code = runKeys(args, { out: s => (out += s), err: s => (err += s), now: () => new Date('2026-12-01T09:00:00.123Z') }, {});
  return { code, out, err };
};

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
  });

  test('a keys file holding a plaintext key or a bad hash is refused with the reason', () => {
    const good = serializeKeysFile({ version: 1, tenants: { a: { tier: 't' } }, keys: [{ id: 'a-1', tenant: 'a', keyHash: `sha256:${'0'.repeat(64)}`, created: 'x' }] });
    expect(parseKeysFile(good).keys).toHaveLength(1);
    const withKey = good.replace('"tenant": "a",', '"tenant": "a", "key": "agwk_oops",');
    expect(() => parseKeysFile(withKey, 'k.json')).toThrow(/k.json: keys\[0\] holds a plaintext "key"/);
    expect(() => parseKeysFile(good.replace('0'.repeat(64), 'xyz'), 'k.json')).toThrow(/keyHash must be "sha256:" followed by 64 hex digits/);
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
    }).toString();
    const key = stdout.trim();
    expect(stdout).toBe(`${key}\n`);
    expect(readKeysFile(file).keys[0].keyHash).toBe(hashKey(key));
    expect(everythingUnder(dir).includes(key.slice(5))).toBe(false);
  });
});
