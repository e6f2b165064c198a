import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import {TokenBudget } from '../lib';
import { guidePreset } from '../lib/presets/guide';
import { runValidate } from '../lib/cli/validate';
import { InvalidOutputError, synthToDir } from '../lib/cli/synth';
import { LlmServingStack } from '../lib/stack';
import { ValidationCache } from '../lib/validate/cache';
import { formatFinding } from '../lib/validate/findings';
import { Validator } from '../lib/validate/validator';
import { TEST_DIST } from './global-setup';
import { mirrorResolver, routeRef } from './helpers';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'validate-test-'));
const cache = ValidationCache.default();
const validator = new Validator({ resolver: mirrorResolver(), cache });
const CORPUS = path.join(__dirname, 'corpus');

describe('validate on the synthesized stack', () => {
  const dist = TEST_DIST;

  test('accepts the whole default dist/', () => {
    const result = validator.validatePaths([dist]);
    expect(result.findings.filter(f => f.severity === 'error').map(formatFinding)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.objects).toBeGreaterThan(130);
  });

  test('judges upstream documents once per pin and keeps the verdicts in the cache', () => {
    const files = fs.readdirSync(cache.dir!, { recursive: true }).map(String);
    expect(files.some(f => /pin-[0-9a-f]{64}\.json$/.test(f))).toBe(true);
    expect(files.some(f => /crd-index-[0-9a-f]{64}\.json$/.test(f))).toBe(true);
  });

  test('judges custom resources by the CRDs in the input alone, with no pinned stack and no cache', () => {
    const alone = new Validator({ resolver: null, cache: ValidationCache.disabled() });
    const input = ['0001-agentgateway.k8s.yaml', '0007-models.k8s.yaml'].map(f => path.join(dist, f));
    const findings = alone.validatePaths(input).findings.map(formatFinding);
    // Without Gateway API and KServe CRDs, their kinds are unknown; agentgateway's are judged by the input's CRDs.
    expect(findings.filter(f => /no matches for kind "(InferenceService|HTTPRoute)"/.test(f))).toHaveLength(2);
    expect(findings.filter(f => /AgentgatewayBackend|AgentgatewayPolicy/.test(f))).toEqual([]);
  });
});

describe('npm run validate', () => {
  const run = (args: string[]) => {
    let out = '';
    let err = '';
    const code = runValidate(args, s => (out += s), s => (err += s));
    return { code, out, err };
  };

  test('exits 1 and prints every finding as "file: Kind namespace/name: .path: message"', () => {
    const { code, out } = run([path.join(CORPUS, 'policy-tokens-zero.yaml')]);
    expect(code).toBe(1);
    expect(out).toMatch(/policy-tokens-zero\.yaml:\d+: AgentgatewayPolicy kserve-test\/llm-token-budget: \.spec\.traffic\.rateLimit\.local\[0\]\.tokens: Invalid value: 0/);
    // Alone, the policy also lacks its Namespace and its route: all findings, not just the first.
    expect(out).toMatch(/Namespace "kserve-test" not found/);
    expect(out).toMatch(/HTTPRoute kserve-test\/mock-llm-ai not found/);
    expect(out).toMatch(/^INVALID: 1 objects in 1 files, 3 errors/m);
  });

  test('exits 2 when an input cannot be read', () => {
    const { code, err } = run([path.join(tmp(), 'nope.yaml')]);
    expect(code).toBe(2);
    expect(err).toMatch(/cannot read .*nope\.yaml: no such file or directory/);
  });

  test('exits 2 on an unknown option', () => {
    expect(run(['--stirct']).code).toBe(2);
  });

  describe('--existing', () => {
    const route = ['apiVersion: gateway.networking.k8s.io/v1', 'kind: HTTPRoute', 'metadata: {name: r, namespace: apps}',
      'spec:', '  parentRefs: [{name: shared, namespace: infra}]', '  rules: [{backendRefs: [{name: web, port: 80}]}]', '---',
      'apiVersion: v1', 'kind: Service', 'metadata: {name: web, namespace: apps}', 'spec: {ports: [{port: 80}]}', ''].join('\n');
    // The cluster's objects: a Gateway admitting routes from all namespaces, its Namespaces, and a CRD; the Namespace
    // carries a label the server would refuse today (it exists, so it is not judged).
    const cluster = ['apiVersion: gateway.networking.k8s.io/v1', 'kind: Gateway', 'metadata: {name: shared, namespace: infra}',
      'spec: {gatewayClassName: agentgateway, listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]}', '---',
      'apiVersion: v1', 'kind: Namespace', 'metadata: {name: infra, labels: {bad/label/key: x}}', '---',
      'apiVersion: v1', 'kind: Namespace', 'metadata: {name: apps}', ''].join('\n');

    test('objects that exist in the cluster resolve references, and are neither judged nor counted', () => {
      const dir = tmp();
      fs.writeFileSync(path.join(dir, 'route.yaml'), route);
      const existing = path.join(tmp(), 'cluster.yaml');
      fs.writeFileSync(existing, cluster);
      const alone = run([dir]);
      expect(alone.code).toBe(1);
      expect(alone.out).toMatch(/Gateway infra\/shared not found/);
      const { code, out } = run(['--existing', existing, dir]);
      expect(out).toMatch(/^valid: 2 objects in 1 files, 0 errors/m);
      expect(out).not.toMatch(/cluster\.yaml/);
      expect(code).toBe(0);
    });

    test('repeats, takes directories, and a CRD of the cluster defines the kinds the input uses', () => {
      const crdDir = tmp();
      fs.writeFileSync(path.join(crdDir, 'crd.yaml'), ['apiVersion: apiextensions.k8s.io/v1', 'kind: CustomResourceDefinition', 'metadata: {name: widgets.example.com}',
        'spec:', '  group: example.com', '  names: {kind: Widget, plural: widgets}', '  scope: Namespaced', '  versions:',
        '  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, properties: {size: {type: integer, maximum: 3}}}}}'].join('\n'));
      const nsFile = path.join(tmp(), 'ns.yaml');
      fs.writeFileSync(nsFile, 'apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n');
      const input = path.join(tmp(), 'widget.yaml');
      fs.writeFileSync(input, 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: apps}\nsize: 5\n');
      const { code, out } = run(['--existing', crdDir, '--existing', nsFile, input]);
      expect(out.split('\n').filter(l => l.includes('widget.yaml'))).toEqual([expect.stringMatching(/\.size: Invalid value: 5: should be less than or equal to 3$/)]);
      expect(code).toBe(1);
    });

    test('exits 2, naming the file, when an existing file does not hold objects, or --existing has no path', () => {
      const bad = path.join(tmp(), 'cluster.yaml');
      fs.writeFileSync(bad, 'just: [a, list\n');
      expect(run(['--existing', bad, tmp()])).toEqual({ code: 2, out: '', err: expect.stringMatching(/^validate: cannot read existing objects from .*cluster\.yaml:\d+: YAML does not parse/) });
      expect(run(['--existing']).code).toBe(2);
      expect(run(['--existing=']).err).toMatch(/--existing needs a path/);
    });
  });

  test('exits 0 on valid input', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n');
    const { code, out } = run([dir]);
    expect(out).toMatch(/^valid: 1 objects in 1 files, 0 errors \(0 the server would refuse\), 0 warnings/m);
    expect(code).toBe(0);
  });

  test('reports what the server would refuse apart from what applies but will not work, server first', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'objects.yaml'), [
      'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: apps}\nspec: {ports: [{port: 70000, targetPort: 8080}]}',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: apps}\n',
    ].join('\n---\n'));
    const { code, out } = run([dir]);
    const lines = out.trimEnd().split('\n');
    expect(lines).toEqual([
      '# the API server would refuse these (1):',
      expect.stringMatching(/Service apps\/web: \.spec\.ports\[0\]\.port: Invalid value: 70000: must be between 1 and 65535, inclusive$/),
      "# these apply, but will not work as meant (the validator's own findings) (2):",
      expect.stringMatching(/Service apps\/web: \.metadata\.namespace: Namespace "apps" not found/),
      expect.stringMatching(/ConfigMap apps\/cfg: \.metadata\.namespace: Namespace "apps" not found/),
      expect.stringMatching(/^INVALID: 2 objects in 1 files, 3 errors \(1 the server would refuse\), 0 warnings/),
    ]);
    expect(code).toBe(1);
  });
});

describe('npm run synth', () => {
  test('refuses output that fails validation and keeps the old dist/', () => {
    const dist = path.join(tmp(), 'dist');
    fs.cpSync(TEST_DIST, dist, { recursive: true });
    const before = fs.readdirSync(dist).filter(f => f.endsWith('.yaml')).map(f => fs.readFileSync(path.join(dist, f), 'utf8'));
    const dangling = () => {
      const app = new App();
      const stack = new LlmServingStack(app, 'Stack', { ...guidePreset(), resolver: mirrorResolver() });
      // Constructs cannot know this route does not exist; validation can.
      new TokenBudget(stack.models, 'Stray', { route: routeRef('no-such-route', 'kserve-test'), name: 'stray-budget', tokens: 10 });
      return app;
    };
    expect(() => synthToDir({ outdir: dist, build: dangling, validator }))
      .toThrow(InvalidOutputError);
    expect(() => synthToDir({ outdir: dist, build: dangling, validator }))
      .toThrow(/dist\/0007-models\.k8s\.yaml:\d+: AgentgatewayPolicy kserve-test\/stray-budget: \.spec\.targetRefs\[0\]: HTTPRoute kserve-test\/no-such-route not found/);
    expect(fs.readdirSync(dist).filter(f => f.endsWith('.yaml')).map(f => fs.readFileSync(path.join(dist, f), 'utf8'))).toEqual(before);
  });
});

describe('the validation cache', () => {
  const anything = (_v: unknown): _v is unknown => true;
  const entryFile = (dir: string, key: string) => path.join(dir, fs.readdirSync(dir)[0], `${key}.json`);

  test('stores and reads back values, and treats a corrupt entry as a miss', () => {
    const dir = tmp();
    const c = new ValidationCache(dir);
    c.set('k', { a: 1 });
    expect(c.get('k', anything)).toEqual({ a: 1 });
    fs.writeFileSync(entryFile(dir, 'k'), '{not json');
    expect(c.get('k', anything)).toBeUndefined();
  });

  test('a hand-edited entry, or one copied under another key, is a miss', () => {
    const dir = tmp();
    const c = new ValidationCache(dir);
    c.set('a', { verdict: 'invalid' });
    c.set('b', { verdict: 'other' });
    const text = fs.readFileSync(entryFile(dir, 'a'), 'utf8');
    fs.writeFileSync(entryFile(dir, 'a'), text.replace('invalid', 'valid'));
    expect(c.get('a', anything)).toBeUndefined();
    fs.writeFileSync(entryFile(dir, 'b'), text);
    expect(c.get('b', anything)).toBeUndefined();
  });

  test('an intact entry of the wrong shape is a miss', () => {
    const c = new ValidationCache(tmp());
    c.set('k', { a: 1 });
    expect(c.get('k', (v): v is string[] => Array.isArray(v))).toBeUndefined();
  });

  test('stays under its size limit by evicting the entries used longest ago', () => {
    const dir = tmp();
    const c = new ValidationCache(dir, { maxBytes: 20_000 });
    const value = 'x'.repeat(1000);
    c.set('first', value);
    const old = new Date(Date.now() - 3_600_000);
    for (let i = 0; i < 40; i++) {
      c.set(`k${i}`, value);
      if (i === 0) fs.utimesSync(entryFile(dir, 'first'), old, old); // written long ago ...
    }
    const sizes = fs.readdirSync(path.dirname(entryFile(dir, 'first'))).map(f => fs.statSync(path.join(path.dirname(entryFile(dir, 'first')), f)).size);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(20_000);
    expect(c.get('first', anything)).toBeUndefined(); // ... so evicted first
    expect(c.get('k39', anything)).toBe(value);
  });

  test('drops entries left by other versions of the validator when it first writes', () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, '0123456789abcdef'));
    new ValidationCache(dir).set('k', 1);
    expect(fs.readdirSync(dir)).toHaveLength(1);
    expect(fs.readdirSync(dir)).not.toContain('0123456789abcdef');
  });
});

describe('verdicts on the input\'s own files', () => {
  class RecordingCache extends ValidationCache {
    readonly sets: string[] = [];
    set(key: string, value: unknown): void {
      this.sets.push(key);
      super.set(key, value);
    }
  }

  test('are cached per file, and a second run gives the same findings without judging again', () => {
    const cacheDir = tmp();
    const input = path.join(tmp(), 'models.yaml');
    fs.copyFileSync(path.join(TEST_DIST, fs.readdirSync(TEST_DIST).find(f => f.endsWith('-models.k8s.yaml'))!), input);
    const first = new RecordingCache(cacheDir);
    const before = new Validator({ resolver: mirrorResolver(), cache: first }).validatePaths([input]).findings.map(formatFinding);
    expect(first.sets.filter(k => k.startsWith('verdicts-'))).toHaveLength(1);

    const second = new RecordingCache(cacheDir);
    const after = new Validator({ resolver: mirrorResolver(), cache: second }).validatePaths([input]).findings.map(formatFinding);
    expect(second.sets.filter(k => k.startsWith('verdicts-'))).toEqual([]);
    expect(after).toEqual(before);
    expect(after.some(f => /\[SEC00\d\]/.test(f))).toBe(true); // cross-object checks still see the cached objects
  });

  test('a tampered or wrong-shaped cached verdict is ignored and rewritten: the file is judged again', () => {
    const cacheDir = tmp();
    const input = path.join(tmp(), 'cm.yaml');
    fs.writeFileSync(input, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name, namespace: default}\n');
    const run = (cache: ValidationCache) => new Validator({ resolver: null, cache }).validatePaths([input]).findings.map(f => f.message);
    const first = new RecordingCache(cacheDir);
    const before = run(first);
    expect(before).toEqual([expect.stringMatching(/^Invalid value: "Bad_Name"/)]);
    const [key] = first.sets.filter(k => k.startsWith('verdicts-'));
    const file = path.join(cacheDir, fs.readdirSync(cacheDir)[0], `${key}.json`);
    // Hand-edited to say the file is valid (no findings), without the digest that would match.
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/"findings":\[[^\]]*\]/, '"findings":[]'));
    expect(fs.readFileSync(file, 'utf8')).toContain('"findings":[]');
    const edited = new RecordingCache(cacheDir);
    expect(run(edited)).toEqual(before);
    expect(edited.sets).toContain(key);
    // Intact but of the wrong shape (findings not a list): not an unrelated TypeError, the same verdict.
    const wrong = new RecordingCache(cacheDir);
    ValidationCache.prototype.set.call(wrong, key, Object.fromEntries(Object.keys(new ValidationCache(cacheDir).get(key, (_v): _v is object => true)!).map(h => [h, { findings: 'none' }])));
    expect(run(wrong)).toEqual(before);
    expect(wrong.sets).toContain(key);
  });

  test('a changed CRD in the input is a different key: its custom resources are judged again', () => {
    const dir = tmp();
    const crd = (max: number) => ['apiVersion: apiextensions.k8s.io/v1', 'kind: CustomResourceDefinition', 'metadata: {name: widgets.example.com}',
      'spec:', '  group: example.com', '  names: {kind: Widget, plural: widgets}', '  scope: Namespaced', '  versions:',
      '  - name: v1', '    served: true', '    storage: true', '    schema:', '      openAPIV3Schema:', '        type: object', '        properties:',
      `          size: {type: integer, maximum: ${max}}`].join('\n');
    fs.writeFileSync(path.join(dir, 'widget.yaml'), 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: default}\nsize: 5\n');
    const cache = new ValidationCache(tmp());
    fs.writeFileSync(path.join(dir, 'crd.yaml'), crd(10));
    expect(new Validator({ resolver: null, cache }).validatePaths([dir]).ok).toBe(true);
    fs.writeFileSync(path.join(dir, 'crd.yaml'), crd(3));
    expect(new Validator({ resolver: null, cache }).validatePaths([dir]).findings.map(f => f.message))
      .toEqual(['Invalid value: 5: should be less than or equal to 3']);
  });
});

describe('cost', () => {
  /**
   * Array elements iterated (spreads, for-of, Array.from) while validating one file of n documents, with
   * Array.prototype[Symbol.iterator] wrapped to count: a count of work, not a clock, so load cannot flake it.
   */
  function iterationsFor(n: number): number {
    const dir = tmp();
    const file = path.join(dir, 'many.yaml');
    fs.writeFileSync(file, Array.from({ length: n }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}, namespace: default}\n`).join('---\n'));
    const engine = new Validator({ resolver: null, cache: new ValidationCache(path.join(dir, 'cache')) });
    const original = Array.prototype[Symbol.iterator];
    let steps = 0;
    Array.prototype[Symbol.iterator] = function (this: unknown[]) {
      const it = original.call(this);
      return { next: () => (steps++, it.next()), [Symbol.iterator]() { return this; } } as ArrayIterator<unknown>;
    };
    try {
      expect(engine.validatePaths([file]).objects).toBe(n);
    } finally {
      Array.prototype[Symbol.iterator] = original;
    }
    return steps;
  }

  test('one file of many documents costs the same per document at 4x the size (no copy per document)', () => {
    iterationsFor(100); // loads lazily built tables, so they do not count below
    const small = iterationsFor(1000) / 1000;
    const large = iterationsFor(4000) / 4000;
    // Linear: about equal per document. The copy per document this pins made it about 4x (n²/2 elements).
    expect(large / small).toBeLessThan(1.5);
  });
});
