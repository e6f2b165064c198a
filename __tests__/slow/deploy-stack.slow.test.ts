// The synthesized stacks, default and hardened, deployed on a fresh kubectl double and destroyed again. Each run is
// some thirty kubectl calls, so these live in `npm run test:slow`, not in `npm test`.
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

test('applying each dist/ file whole, as one `kubectl apply -f` per file does, fails on a fresh cluster', async () => {
  const kubectl = new Kubectl({ env: kubeDouble().env });
  const results = [];
  for (const p of readPhases(dist)) results.push(await kubectl.run(['apply', '--server-side', '-f', p.file]));
  expect(results[3].code).toBe(1);
  expect(results[3].stderr).toMatch(/no matches for kind "ClusterStorageContainer" in version "serving.kserve.io\/v1alpha1"\nensure CRDs are installed first/);
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
    expect(asked).toMatch(/Also delete the shared platform \(0000-gateway-api, 0001-agentgateway, 0002-cert-manager, 0003-kserve\)\?/);
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
