// The synthesized stacks, default and hardened, deployed on a fresh kubectl double and destroyed again. Each run is
// some thirty kubectl calls, so these live in `npm run test:slow`, not in `npm test`.
import * as path from 'path';
import { readPhases } from '../../lib/ops/manifests';
import { Kubectl } from '../../lib/ops/kubectl';
import { cloneOf, deploy, destroy, FRESH_NAMESPACES, present, Run, SMALL_STACK } from '../deploy-helpers';
import { TEST_DIST as dist, TEST_HARDENED_DIST as hardened } from '../global-setup';
import { kubeDouble } from '../kube-double/build';

jest.setTimeout(60_000);

describe.each([['default', dist], ['hardened', hardened]])('npm run deploy of the %s dist/ on a fresh cluster', (_profile, outdir) => {
  const cluster = kubeDouble();
  let first: Run;
  beforeAll(async () => {
    first = await deploy([], cluster, outdir);
  });

  test('succeeds in one run and creates every object of dist/', () => {
    expect(first.out).not.toMatch(/FAILED/);
    expect(first.code).toBe(0);
    expect(cluster.journal().filter(l => !l.startsWith('created '))).toEqual([]);
    expect(cluster.journal().length).toBe(readPhases(outdir).flatMap(p => p.objects).length);
  });

  test('a second run changes nothing', async () => {
    const before = cluster.objects();
    const written = cluster.journal().length;
    const second = await deploy([], cluster, outdir);
    expect(second.code).toBe(0);
    expect(cluster.journal().slice(written)).toEqual(cluster.journal().slice(0, written).map(l => l.replace(/^created/, 'unchanged')));
    expect(cluster.objects()).toEqual(before);
  });
});

describe('by hand, as the README says', () => {
  // `kubectl apply --server-side -f` of each file in name order, with the README's waits in between.
  const byHand = async (kubectl: Kubectl, waits: boolean) => {
    for (const p of readPhases(dist)) {
      const r = await kubectl.run(['apply', '--server-side', '-f', p.file]);
      if (r.code !== 0) return { file: path.basename(p.file), ...r };
      if (!waits) continue;
      const w = async (args: string[]) => expect((await kubectl.run(['wait', ...args, '--timeout=30s'])).stderr).toBe('');
      if (p.objects.some(o => o.kind === 'CustomResourceDefinition')) await w(['--for=condition=Established', 'crd', '--all']);
      const platform = /-(cert-manager|kserve)$/.exec(p.name)?.[1];
      if (platform) await w(['-n', platform, '--for=condition=Available', 'deployment', '--all']);
    }
    return undefined;
  };

  test('each file in name order with the documented waits applies on a fresh cluster', async () => {
    expect(await byHand(new Kubectl({ env: kubeDouble().env }), true)).toBeUndefined();
  });

  test('without the waits, a fresh cluster refuses the custom resources of CRDs applied a moment before', async () => {
    const failed = await byHand(new Kubectl({ env: kubeDouble({ KUBE_DOUBLE_DELAY_MS: '60000' }).env }), false);
    expect(failed?.file).toBe('0004-kserve.k8s.yaml');
    expect(failed?.stderr).toMatch(/no matches for kind "Issuer" in version "cert-manager.io\/v1"\nensure CRDs are installed first/);
  });
});

describe('npm run destroy of the default dist/', () => {
  const deployed = kubeDouble();
  beforeAll(async () => {
    expect((await deploy([], deployed, dist)).code).toBe(0);
  });

  test('deletes in reverse order, keeps CRDs, and waits for namespaces to go', async () => {
    const cluster = cloneOf(deployed);
    const { code, out } = await destroy(['--yes'], cluster, dist);
    expect(out).not.toMatch(/FAILED/);
    expect(code).toBe(0);
    expect(new Set(present(cluster).map(o => o.split('/')[0]))).toEqual(new Set(['CustomResourceDefinition', 'Namespace']));
    expect(present(cluster).filter(o => o.startsWith('Namespace/'))).toEqual(FRESH_NAMESPACES.map(n => `Namespace/${n}`));
    const order = cluster.journal();
    const index = (s: string) => order.indexOf(`deleted ${s}`);
    expect(index('inferenceservice.serving.kserve.io/mock-llm')).toBeLessThan(index('deployment.apps/kserve-controller-manager'));
    expect(index('deployment.apps/kserve-controller-manager')).toBeLessThan(index('deployment.apps/cert-manager-webhook'));
  });

  test('with --include-crds leaves a fresh cluster, and a second run finds nothing left to do', async () => {
    const cluster = cloneOf(deployed);
    expect((await destroy(['--yes', '--include-crds'], cluster, dist)).code).toBe(0);
    expect(present(cluster)).toEqual(FRESH_NAMESPACES.map(n => `Namespace/${n}`));
    const again = await destroy(['--yes', '--include-crds'], cluster, dist);
    expect(again.out).not.toMatch(/FAILED/);
    expect(again.code).toBe(0);
  });

  test('asks before deleting the shared platform, and keeps it on no', async () => {
    const cluster = cloneOf(deployed);
    let asked = '';
    expect((await destroy([], cluster, dist, async q => { asked = q; return false; })).code).toBe(0);
    expect(asked).toMatch(/Also delete the shared platform \(0000-gateway-api, 0001-agentgateway, 0002-cert-manager, 0003-kserve-crds, 0004-kserve, 0005-kserve-resources\)\?/);
    expect(present(cluster)).toContain('Deployment/kserve-controller-manager');
    expect(present(cluster)).not.toContain('InferenceService/mock-llm');
  });

  test('without a terminal to ask and without --yes, keeps the platform and says so', async () => {
    const cluster = cloneOf(deployed);
    const { out } = await destroy([], cluster, dist);
    expect(out).toMatch(/no terminal to ask: keeping the shared platform/);
    expect(present(cluster)).toContain('Deployment/cert-manager-webhook');
  });
});

describe('the small stack', () => {
  test.concurrent('passes --context to every call', async () => {
    expect((await deploy(['--context', 'kind-llm'], kubeDouble({ KUBE_DOUBLE_CONTEXTS: 'kind-llm' }), SMALL_STACK)).code).toBe(0);
    const wrong = await deploy(['--context', 'prod'], kubeDouble({ KUBE_DOUBLE_CONTEXTS: 'kind-llm' }), SMALL_STACK);
    expect(wrong.code).toBe(1);
    expect(wrong.out).toMatch(/kubectl failed: kubectl --context prod apply .*\n {2}error: context "prod" does not exist/);
  });

  test('destroy kills a delete that hangs when --timeout runs out', async () => {
    const deployed = kubeDouble();
    expect((await deploy([], deployed, SMALL_STACK)).code).toBe(0);
    const cluster = cloneOf(deployed, { KUBE_DOUBLE_HANG: '^delete' });
    const { code, out } = await destroy(['--yes', '--timeout', '1s'], cluster, SMALL_STACK);
    expect(code).toBe(1);
    expect(out).toMatch(/FAILED: delete 0001-app \(3 objects\)\n {2}killed when --timeout 1s ran out .*still running: kubectl delete --ignore-not-found --wait=false -f - < \(the objects of \S+0001-app.k8s.yaml\)/);
  });
});
