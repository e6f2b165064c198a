import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { buildApp } from '../main';
import { synthToDir } from '../lib/cli/synth';
import { LlmServingStack } from '../lib';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'synth-test-'));
}

function readTree(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map(f => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

describe('npm run synth', () => {
  test('writes one file per chart, named in apply order', () => {
    const outdir = path.join(tmp(), 'dist');
    synthToDir({ outdir });
    const files = fs.readdirSync(outdir).sort();
    for (const f of files) expect(f).toMatch(/^\d{4}-[a-z0-9-]+\.k8s\.yaml$/);
    expect(files.findIndex(f => f.endsWith('-ingress.k8s.yaml'))).toBeLessThan(files.findIndex(f => f.endsWith('-models.k8s.yaml')));
  });

  test('is byte-identical from run to run', () => {
    const a = path.join(tmp(), 'dist');
    const b = path.join(tmp(), 'dist');
    synthToDir({ outdir: a });
    synthToDir({ outdir: b });
    expect(readTree(b)).toEqual(readTree(a));
  });

  test('replaces a previous dist/ completely, leaving no stale files or staging directories', () => {
    const parent = tmp();
    const outdir = path.join(parent, 'dist');
    fs.mkdirSync(outdir);
    fs.writeFileSync(path.join(outdir, 'stale.k8s.yaml'), 'kind: Stale\n');
    synthToDir({ outdir });
    expect(fs.existsSync(path.join(outdir, 'stale.k8s.yaml'))).toBe(false);
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  });

  test('a failed synth keeps the old dist/ untouched and cleans up after itself', () => {
    const parent = tmp();
    const outdir = path.join(parent, 'dist');
    synthToDir({ outdir });
    const before = readTree(outdir);
    const badApp = () => {
      const app = new App();
      new LlmServingStack(app, { models: [{ budget: { tokens: 0 } }] });
      return app;
    };
    expect(() => synthToDir({ outdir, build: badApp })).toThrow(/TokenBudget models\/Model\/TokenBudget: tokens must be a whole number from 1 to 2147483647, got 0/);
    expect(readTree(outdir)).toEqual(before);
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  });

  test('an error while writing (after construction) also keeps the old dist/', () => {
    const parent = tmp();
    const outdir = path.join(parent, 'dist');
    synthToDir({ outdir });
    const before = readTree(outdir);
    const duplicate = () => {
      const app = new App();
      new LlmServingStack(app, { models: [{}, { inferenceService: { name: 'second' } }] });
      return app;
    };
    expect(() => synthToDir({ outdir, build: duplicate })).toThrow(/Duplicate object/);
    expect(readTree(outdir)).toEqual(before);
  });

  test('buildApp() with no props is the guide', () => {
    expect(buildApp().charts.map(c => c.node.id)).toEqual(expect.arrayContaining(['ingress', 'models']));
  });
});
