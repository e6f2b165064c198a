// Hostile input: keys named like Object.prototype members, alias bombs, a broken cache, and a bounded fuzz run over
// random and mutated YAML. The validator must answer 0, 1 or 2, in words, never with a stack trace.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runValidate } from '../lib/cli/validate';
import { ValidationCache } from '../lib/validate/cache';
import { MAX_INPUT_FILE_BYTES } from '../lib/validate/documents';
import { formatFinding } from '../lib/validate/findings';
import { Validator } from '../lib/validate/validator';
import { mirrorResolver } from './helpers';

const validator = new Validator({ resolver: mirrorResolver(), cache: ValidationCache.default() });
const CORPUS = path.join(__dirname, 'corpus');

function validateText(text: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safety-'));
  fs.writeFileSync(path.join(dir, 'input.yaml'), text);
  return validator.validatePaths([dir]).findings.map(f => formatFinding({ ...f, file: path.basename(f.file) }));
}

describe('keys named like Object.prototype members are data', () => {
  test('a Service with spec.constructor is an unknown field, not a crash', () => {
    const found = validateText('apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: default}\nspec:\n  constructor: 1\n  ports: [{port: 80}]\n');
    expect(found).toEqual([expect.stringMatching(/Service default\/s: \.spec\.constructor: unknown field "spec\.constructor"/)]);
  });

  test('an HTTPRoute with toString, valueOf and hasOwnProperty in spec reports all three', () => {
    const found = validateText('apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\n' +
      'spec: {toString: 1, valueOf: 2, hasOwnProperty: 3}\n');
    for (const key of ['toString', 'valueOf', 'hasOwnProperty']) {
      expect(found).toContainEqual(expect.stringMatching(new RegExp(`HTTPRoute default/r: \\.spec\\.${key}: unknown field "spec\\.${key}"`)));
    }
  });

  test('__proto__ as a key neither changes the object nor passes as valid', () => {
    const found = validateText('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\n__proto__: {polluted: true}\n');
    expect(found).toEqual([expect.stringMatching(/ConfigMap default\/c: \.__proto__: unknown field "__proto__"/)]);
    expect(({} as any).polluted).toBeUndefined();
  });

  test('an apiVersion named like a prototype member is an unknown version', () => {
    const found = validateText('apiVersion: gateway.networking.k8s.io/constructor\nkind: HTTPRoute\nmetadata: {name: r, namespace: default}\n');
    expect(found).toEqual([expect.stringMatching(/no matches for kind "HTTPRoute" in version "gateway\.networking\.k8s\.io\/constructor"/)]);
  });
});

describe('alias expansion is bounded', () => {
  // goyaml.v2/decode.go refuses documents whose decodes come mostly from aliases ("excessive aliasing").
  const bomb = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: bomb, namespace: default}', 'data:',
    '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ...'bcdefghi'.split('').map((c, i) => `  ${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)].join('\n');

  test('a billion-laughs document is a finding, found quickly', () => {
    const started = Date.now();
    const found = validateText(bomb);
    expect(found).toEqual(['input.yaml:1: YAML does not parse: document contains excessive aliasing']);
    expect(Date.now() - started).toBeLessThan(10_000); // expanded, it would take hours
  });

  test('an anchor that contains itself is a finding', () => {
    expect(validateText('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: &d {x: *d}\n'))
      .toEqual([expect.stringMatching(/YAML does not parse: an anchor's value contains an alias to itself/)]);
  });

  test('ordinary aliases are expanded', () => {
    expect(validateText('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default, labels: &l {app: x}, annotations: *l}\n')).toEqual([]);
  });
});

describe('input paths', () => {
  test('a symlink back to a parent directory is read once, not forever', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-'));
    fs.writeFileSync(path.join(dir, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}\n');
    fs.symlinkSync(dir, path.join(dir, 'self'));
    const result = validator.validatePaths([dir]);
    expect([result.ok, result.files, result.objects]).toEqual([true, 1, 1]);
  });
});

describe('special files and paths end in bounded time with a clear message', () => {
  // Each case used to hang (a FIFO or /dev/zero read forever; a cache under /proc spun Node's recursive mkdir at
  // full CPU), which no in-process timeout can stop: they run in one child process that is killed after 60 s.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'special-'));
  const cm = path.join(dir, 'cm.yaml');
  fs.writeFileSync(cm, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\n');
  const fifoDir = path.join(dir, 'with-fifo');
  fs.mkdirSync(fifoDir);
  execFileSync('mkfifo', [path.join(dir, 'pipe.yaml'), path.join(fifoDir, 'pipe.yaml')]);
  const huge = path.join(dir, 'huge.yaml');
  fs.writeFileSync(huge, '');
  fs.truncateSync(huge, MAX_INPUT_FILE_BYTES + 1); // sparse: costs no disk
  const cases: Record<string, { env?: Record<string, string>; args: string[] }> = {
    procCache: { env: { VALIDATE_CACHE: '/proc/x/validate' }, args: [cm] },
    fifo: { args: [path.join(dir, 'pipe.yaml')] },
    fifoInDir: { args: [fifoDir] },
    devZero: { args: ['/dev/zero'] },
    huge: { args: [huge] },
  };
  const script = `const { runValidate } = require('./lib/cli/validate.ts'); const out = {};
    for (const [name, c] of Object.entries(${JSON.stringify(cases)})) {
      Object.assign(process.env, c.env ?? {}); let text = '';
      const code = runValidate(c.args, s => { text += s; }, s => { text += s; });
      for (const k of Object.keys(c.env ?? {})) delete process.env[k];
      out[name] = { code, text };
    }
    console.log(JSON.stringify(out));`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: path.join(__dirname, '..'), encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
  const results = run.status === 0 ? JSON.parse(run.stdout) : {};
  const result = (name: string) => results[name] ?? { code: `child ended by ${run.signal ?? run.status}: ${run.stderr}` };

  test('a cache directory that cannot be created (under /proc) validates without it, with one warning', () => {
    const r = result('procCache');
    expect(r.code).toBe(0);
    expect(r.text.match(/warning: .*validation cache \/proc\/x\/validate is not a usable directory.*validating without it/g)).toHaveLength(1);
  });

  test('a FIFO named *.yaml is refused, given or found in a directory', () => {
    expect(result('fifo')).toEqual({ code: 2, text: expect.stringMatching(/^validate: cannot read .*pipe\.yaml: it is a named pipe \(FIFO\), not a regular file/) });
    expect(result('fifoInDir')).toEqual({ code: 2, text: expect.stringMatching(/^validate: cannot read .*with-fifo\/pipe\.yaml: it is a named pipe/) });
  });

  test('a device is refused', () => {
    expect(result('devZero')).toEqual({ code: 2, text: 'validate: cannot read /dev/zero: it is a character device, not a regular file (give a YAML file or a directory of them)\n' });
  });

  test('a file above the size limit is refused without being read', () => {
    expect(result('huge')).toEqual({ code: 2, text: expect.stringMatching(/^validate: cannot read .*huge\.yaml: it is 67108865 bytes, more than the 67108864 \(64 MiB\) an input file may have; split it/) });
  });
});

describe('a bad VALIDATE_CACHE', () => {
  test('a file where the cache directory should be is skipped with one warning', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cache-file-')), 'cache');
    fs.writeFileSync(file, 'not a directory');
    const warnings: string[] = [];
    const broken = new Validator({ resolver: mirrorResolver(), cache: new ValidationCache(file, m => warnings.push(m)) });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safety-'));
    fs.writeFileSync(path.join(dir, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}\n');
    const result = broken.validatePaths([dir]);
    expect(result.ok).toBe(true);
    expect(warnings).toEqual([expect.stringMatching(/validation cache .*cache is not a usable directory .*validating without it/)]);
    expect(fs.readFileSync(file, 'utf8')).toBe('not a directory');
  });
});

// A small deterministic PRNG (mulberry32), so a failing fuzz case can be replayed from its seed.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = ['&a ', '*a', '<<: *a', '!!int ', '!!binary ', '!Ref ', '{', '}', '[', ']', '- ', ': ', '"', "'", '\t', '#', '|', '>',
  'constructor: 1', '__proto__: {x: 1}', 'toString:', 'hasOwnProperty: 2', '0x1F', '0o17', '.inf', '.nan', '~', '---', '...', 'yes',
  '2024-01-01', '1:30', '12345678901234567890', 'null', '? ', '%YAML 1.1', '\n', '  ', 'apiVersion: v1', 'kind: Service',
  'metadata: {name: x}', 'spec: []', 'spec: {}', 'namespace: 5', 'x-kubernetes-validations: []', 'kind: CustomResourceDefinition'];

function mutate(text: string, random: () => number): string {
  let out = text;
  const steps = 1 + Math.floor(random() * 4);
  for (let s = 0; s < steps; s++) {
    const at = Math.floor(random() * (out.length + 1));
    const op = Math.floor(random() * 5);
    if (op === 0) out = out.slice(0, at) + TOKENS[Math.floor(random() * TOKENS.length)] + out.slice(at);
    else if (op === 1) out = out.slice(0, at) + out.slice(at + Math.floor(random() * 20));
    else if (op === 2) {
      const lines = out.split('\n');
      const i = Math.floor(random() * lines.length);
      lines.splice(Math.floor(random() * lines.length), 0, lines[i]);
      out = lines.join('\n');
    } else if (op === 3) out = out.replace(/^ {2}/gm, () => (random() < 0.1 ? ' ' : '  '));
    else out = out.slice(0, at) + String.fromCharCode(Math.floor(random() * 0x3000)) + out.slice(at);
  }
  return out;
}

function randomYaml(random: () => number, depth = 0): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  if (depth > 3 || random() < 0.3) return pick(TOKENS);
  const entries = Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
    `${pick(['apiVersion', 'kind', 'metadata', 'spec', 'name', 'constructor', 'ports', 'listeners'])}: ${randomYaml(random, depth + 1)}`);
  return random() < 0.5 ? `{${entries.join(', ')}}` : `[${entries.join(', ')}]`;
}

describe('fuzz', () => {
  const seeds = fs.readdirSync(CORPUS).filter(f => f.endsWith('.yaml')).map(f => fs.readFileSync(path.join(CORPUS, f), 'utf8'));
  // A fixed budget of cases and of time keeps the suite fast; the seed makes every run the same.
  // FUZZ_SEED / FUZZ_CASES / FUZZ_MS run a longer or different campaign by hand.
  const SEED = Number(process.env.FUZZ_SEED ?? 12);
  const BUDGET_MS = Number(process.env.FUZZ_MS ?? 3000);
  const CASES = Number(process.env.FUZZ_CASES ?? 300);
  const HEAP_BOUND = 1024 * 1024 * 1024;

  test('random and mutated YAML only ever exits 0, 1 or 2, in words, within a memory bound', () => {
    const random = prng(SEED);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-'));
    const started = Date.now();
    let ran = 0;
    for (let i = 0; i < CASES && Date.now() - started < BUDGET_MS; i++) {
      const text = random() < 0.8 ? mutate(seeds[Math.floor(random() * seeds.length)], random) : randomYaml(random);
      const file = path.join(dir, `case-${i}.yaml`);
      fs.writeFileSync(file, text);
      let out = '';
      let err = '';
      const code = runValidate([file], s => (out += s), s => (err += s));
      const context = `case ${i} (${JSON.stringify(text.slice(0, 200))}):\n${err}`;
      expect([0, 1, 2]).toContain(code);
      if (/\n\s+at .+:\d+:\d+\)?$/m.test(out + err) || /internal error/.test(out + err)) throw new Error(`stack trace or internal error on ${context}${out}`);
      expect(process.memoryUsage().heapUsed).toBeLessThan(HEAP_BOUND);
      fs.rmSync(file);
      ran++;
    }
    expect(ran).toBeGreaterThan(50);
  });
});
