import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { buildApp } from '../main';
import { runSynth, synthToDir } from '../lib/cli/synth';
import { guideModel, guidePreset } from '../lib/presets/guide';
import { stackPropsFor } from '../lib/app-config';

const guideApp = () => buildApp();
import { LlmServingStack } from '../lib';
import { CERT_MANAGER_MANIFEST, KSERVE_MANIFEST } from '../lib/upstream/artifacts';
import { UpstreamResolver } from '../lib/upstream/resolver';
import * as YAML from 'yaml';
import { TEST_DIST } from './global-setup';
import { MIRROR } from './helpers';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'synth-test-'));
}

/** Every file under dir (recursively), by relative path. */
function readTree(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir, { recursive: true }).map(String).sort()
    .filter(f => fs.statSync(path.join(dir, f)).isFile())
    .map(f => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

describe('npm run synth', () => {
  test('writes one file per chart, named in apply order', () => {
    const outdir = path.join(tmp(), 'dist');
    synthToDir({ outdir, build: guideApp, validator: false });
    const files = fs.readdirSync(outdir).filter(f => f !== 'gitops').sort();
    for (const f of files) expect(f).toMatch(/^\d{4}-[a-z0-9-]+\.k8s\.yaml$/);
    expect(files.findIndex(f => f.endsWith('-ingress.k8s.yaml'))).toBeLessThan(files.findIndex(f => f.endsWith('-models.k8s.yaml')));
  });

  test('is byte-identical from run to run', () => {
    const a = path.join(tmp(), 'dist');
    const b = path.join(tmp(), 'dist');
    synthToDir({ outdir: a, build: guideApp, validator: false });
    synthToDir({ outdir: b, build: guideApp, validator: false });
    expect(readTree(b)).toEqual(readTree(a));
  });

  test('replaces a previous dist/ completely, leaving no stale files or staging directories', () => {
    const parent = tmp();
    const outdir = path.join(parent, 'dist');
    fs.mkdirSync(outdir);
    fs.writeFileSync(path.join(outdir, 'stale.k8s.yaml'), 'kind: Stale\n');
    synthToDir({ outdir, build: guideApp, validator: false });
    expect(fs.existsSync(path.join(outdir, 'stale.k8s.yaml'))).toBe(false);
    // dist is a link to the one version in .dist-versions/ (see __tests__/output-dir.test.ts).
    expect(fs.readdirSync(parent).sort()).toEqual(['.dist-versions', 'dist']);
    expect(fs.readdirSync(path.join(parent, '.dist-versions'))).toEqual([path.basename(fs.realpathSync(outdir))]);
  });

  test('a failed synth keeps the old dist/ untouched and cleans up after itself', () => {
    const parent = tmp();
    const outdir = path.join(parent, 'dist');
    synthToDir({ outdir, build: guideApp, validator: false });
    const before = readTree(outdir);
    const badApp = () => {
      const app = new App();
      new LlmServingStack(app, 'Stack', { ...guidePreset(), models: [{ ...guideModel(), budget: { tokens: 0 } }] });
      return app;
    };
    expect(() => synthToDir({ outdir, build: badApp, validator: false })).toThrow(/\[Stack\/models\/Model\/TokenBudget\] TokenBudget: tokens must be a whole number from 1 to 2147483647, got 0/);
    expect(readTree(outdir)).toEqual(before);
    expect(fs.readdirSync(parent).sort()).toEqual(['.dist-versions', 'dist']);
    expect(fs.readdirSync(path.join(parent, '.dist-versions'))).toEqual([path.basename(fs.realpathSync(outdir))]);
  });

  test('an error while writing (after construction) also keeps the old dist/', () => {
    const parent = tmp();
    const outdir = path.join(parent, 'dist');
    synthToDir({ outdir, build: guideApp, validator: false });
    const before = readTree(outdir);
    const duplicate = () => {
      const app = new App();
      new LlmServingStack(app, 'Stack', { ...guidePreset(), models: [guideModel(), guideModel()] });
      return app;
    };
    expect(() => synthToDir({ outdir, build: duplicate, validator: false })).toThrow(/Duplicate object/);
    expect(readTree(outdir)).toEqual(before);
  });

  test('buildApp() with no props is the app\'s configuration, the guide', () => {
    expect(buildApp().charts.map(c => c.node.id)).toEqual(['gateway-api', 'agentgateway', 'cert-manager', 'kserve', 'ingress', 'models']);
  });
});

describe('npm run synth with upstream files that are wrong or missing', () => {
  /** A mirror of links to the real one, so one file can be replaced or removed. */
  function linkedMirror(): string {
    const dir = tmp();
    for (const a of LlmServingStack.requiredArtifacts(stackPropsFor({}))) {
      const rel = UpstreamResolver.relativePath(a.url);
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.symlinkSync(path.join(MIRROR, rel), path.join(dir, rel));
    }
    return dir;
  }

  /** A good dist/ to lose: a copy of the one the test run synthesized. */
  function withGoodDist(): { outdir: string; before: Record<string, string> } {
    const outdir = path.join(tmp(), 'dist');
    fs.cpSync(TEST_DIST, outdir, { recursive: true });
    return { outdir, before: readTree(outdir) };
  }

  test('a tampered mirror file fails synth with the URL and both digests, and keeps the old dist/', async () => {
    const { outdir, before } = withGoodDist();
    const mirror = linkedMirror();
    const file = path.join(mirror, UpstreamResolver.relativePath(KSERVE_MANIFEST.url));
    const text = fs.readFileSync(file, 'utf8');
    fs.unlinkSync(file);
    fs.writeFileSync(file, text.replace('kserve/kserve-controller:v0.20.0', 'evil/kserve-controller:v0.20.0'));
    const resolver = new UpstreamResolver({ mirror, cacheDir: tmp(), allowDownload: false });

    await expect(runSynth(outdir, stackPropsFor({}), resolver)).rejects.toThrow(
      new RegExp(`sha256 mismatch for ${KSERVE_MANIFEST.url.replace(/\./g, '\\.')} .*expected ${KSERVE_MANIFEST.sha256}, got [0-9a-f]{64}`));
    expect(readTree(outdir)).toEqual(before);
  });

  test('missing mirror files fail synth listing every missing URL and how to provide them, and keep the old dist/', async () => {
    const { outdir, before } = withGoodDist();
    const mirror = linkedMirror();
    for (const a of [KSERVE_MANIFEST, CERT_MANAGER_MANIFEST]) fs.unlinkSync(path.join(mirror, UpstreamResolver.relativePath(a.url)));
    const resolver = new UpstreamResolver({ mirror, cacheDir: tmp(), allowDownload: false });

    const failure = runSynth(outdir, stackPropsFor({}), resolver);
    await expect(failure).rejects.toThrow(/2 pinned upstream artifact\(s\) are not available/);
    await expect(failure).rejects.toThrow(CERT_MANAGER_MANIFEST.url);
    await expect(failure).rejects.toThrow(KSERVE_MANIFEST.url);
    await expect(failure).rejects.toThrow(/UPSTREAM_MIRROR=.*npm run fetch/s);
    expect(readTree(outdir)).toEqual(before);
  });

  test('the full stack synthesizes byte-identically through a different mirror path', async () => {
    const { outdir, before } = withGoodDist();
    await runSynth(outdir, stackPropsFor({}), new UpstreamResolver({ mirror: linkedMirror(), cacheDir: tmp(), allowDownload: false }));
    expect(readTree(outdir)).toEqual(before);
  });
});

describe('GitOps output', () => {
  const outdir = path.join(tmp(), 'dist');
  synthToDir({ outdir, build: guideApp, validator: false });
  const read = (f: string) => YAML.parse(fs.readFileSync(path.join(outdir, 'gitops', f), 'utf8'));
  const charts = fs.readdirSync(outdir).filter(f => f.endsWith('.k8s.yaml')).sort();

  test('holds one directory per phase: its manifest, byte for byte, and a kustomization giving the phase as Argo CD sync wave', () => {
    charts.forEach((chart, wave) => {
      const dir = chart.replace('.k8s.yaml', '');
      const k = read(`${dir}/kustomization.yaml`);
      // Only files inside its own directory: stock kustomize's load restrictor allows nothing else.
      expect(k.resources).toEqual([chart]);
      expect(fs.readFileSync(path.join(outdir, 'gitops', dir, chart), 'utf8')).toBe(fs.readFileSync(path.join(outdir, chart), 'utf8'));
      expect(k.transformers).toEqual(['argocd-annotations.yaml']);
      expect(read(`${dir}/argocd-annotations.yaml`).annotations['argocd.argoproj.io/sync-wave']).toBe(String(wave));
    });
  });

  test('marks phases with custom resources to skip Argo CD dry runs while their CRDs are missing', () => {
    const skips = charts.map(c => read(`${c.replace('.k8s.yaml', '')}/argocd-annotations.yaml`).annotations['argocd.argoproj.io/sync-options']);
    // Gateway API, agentgateway, cert-manager and KServe's CRDs hold only CRDs and built-in kinds; the rest of KServe
    // (its Issuer and Certificates), its own resources, ingress and models hold custom resources.
    const skip = 'SkipDryRunOnMissingResource=true';
    expect(skips).toEqual([undefined, undefined, undefined, undefined, skip, skip, skip, skip]);
  });

  test('has a root kustomization listing the phases in order, for one Argo CD Application', () => {
    expect(read('kustomization.yaml').resources).toEqual(charts.map(c => c.replace('.k8s.yaml', '')));
  });

  test('leaves the manifests themselves untouched, so `kubectl apply -f dist/` is unchanged', () => {
    expect(fs.readFileSync(path.join(outdir, charts[0]), 'utf8')).not.toMatch(/argocd/);
  });
});
