// The stack's dist/ on a real control plane: each profile deploys on a fresh one with every wait really waited for,
// a second deploy changes nothing, a live stack moves to the hardened profile (the llmisvc one to plain pool routing),
// destroy removes what it should, and the GitOps output applies phase by phase in sync-wave order. For the llmisvc
// profile the LLMInferenceService's conversion webhook and KServe's controller are stand-ins (cluster/internal/standins).
import * as fs from 'fs';
import * as path from 'path';
import { runDeploy } from '../../lib/cli/deploy';
import { runDestroy } from '../../lib/cli/destroy';
import { FIELD_MANAGER } from '../../lib/ops/deploy-plan';
import { distOf, Live, withControlPlane } from './harness';

jest.setTimeout(600_000);

async function deploy(live: Live, dist: string): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runDeploy(['--timeout', '5m'], { ...live.env, CDK8S_OUTDIR: dist }, s => (out += s), 500);
  return { code, out };
}

/** `kubectl diff --server-side` of every dist/ file: what a second apply would change (nothing, when exit 0). */
async function serverDiff(live: Live, dist: string): Promise<string[]> {
  const changes: string[] = [];
  for (const f of fs.readdirSync(dist).filter(f => f.endsWith('.k8s.yaml')).sort()) {
    const r = await live.kubectl(['diff', '--server-side', '--force-conflicts', `--field-manager=${FIELD_MANAGER}`, '-f', path.join(dist, f)]);
    if (r.code !== 0) changes.push(`${f} (exit ${r.code}):\n${r.stdout}${r.stderr}`);
  }
  return changes;
}

const namespacesOf = (dist: string) => fs.readdirSync(dist).filter(f => f.endsWith('.k8s.yaml'))
  .flatMap(f => [...fs.readFileSync(path.join(dist, f), 'utf8').matchAll(/^kind: Namespace\nmetadata:\n(?:  .*\n)*?  name: (\S+)$/gm)].map(m => m[1]));

/** Destroys the stack of `dist` with `--yes`; its namespaces must be gone after, and the CRDs it installed still there. */
async function destroyed(live: Live, dist: string): Promise<string[]> {
  let out = '';
  const code = await runDestroy(['--yes', '--timeout', '5m'], { ...live.env, CDK8S_OUTDIR: dist }, s => (out += s), async () => undefined, 500);
  expect({ code, out }).toEqual({ code: 0, out: expect.not.stringMatching(/FAILED/) });
  const left = JSON.parse((await live.kubectl(['get', 'namespaces', '-o', 'json'])).stdout).items.map((n: any) => n.metadata.name);
  for (const ns of namespacesOf(dist)) expect(left).not.toContain(ns);
  return (await live.kubectl(['get', 'crd', '-o', 'name'])).stdout.split('\n');
}

const json = async (live: Live, args: string[]) => {
  const r = await live.kubectl([...args, '-o', 'json']);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout);
};

describe.each(['guide', 'hardened', 'tenants', 'llmisvc'] as const)('the %s profile on a fresh control plane', profile => {
  const live = withControlPlane();

  test('deploys in one run, every wait waited for, and a second deploy changes nothing', async () => {
    const dist = distOf(profile);
    const first = await deploy(live(), dist);
    expect({ code: first.code, out: first.out }).toEqual({ code: 0, out: expect.stringContaining('deployed.') });
    const steps = first.out.match(/^\[.*\] +(\d+)\/(\d+) ok: /gm) ?? [];
    expect(steps.length).toBeGreaterThan(10);
    expect(first.out).not.toMatch(/FAILED/);
    const second = await deploy(live(), dist);
    expect(second.code).toBe(0);
    expect(await serverDiff(live(), dist)).toEqual([]);
  });

  if (profile === 'guide') {
    test('a live default stack moves to the hardened profile, or stops naming the object and field the server refused', async () => {
      const hardened = await deploy(live(), distOf('hardened'));
      if (hardened.code !== 0) expect(hardened.out).toMatch(/FAILED[\s\S]*(is invalid|field is immutable|Forbidden)[\s\S]*: [a-z.[\]0-9]+:/);
      else expect(await serverDiff(live(), distOf('hardened'))).toEqual([]);
    });

    test('destroy removes the stack\'s objects, its namespaces finalize, and its CRDs stay', async () => {
      const crds = (await destroyed(live(), distOf('hardened'))).join('\n');
      expect(crds).toMatch(/inferenceservices\.serving\.kserve\.io/);
      expect(crds).toMatch(/gateways\.gateway\.networking\.k8s\.io/);
    });
  }

  if (profile === 'llmisvc') {
    test('KServe\'s route and pool for the LLMInferenceService exist, owned by it; the route is the override through the AI backend', async () => {
      const svc = await json(live(), ['get', '-n', 'kserve-test', 'llminferenceservice/mock-llm']);
      const owner = { apiVersion: 'serving.kserve.io/v1alpha2', kind: 'LLMInferenceService', name: 'mock-llm', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true };
      const route = await json(live(), ['get', '-n', 'kserve-test', 'httproute/mock-llm-kserve-route']);
      const pool = await json(live(), ['get', '-n', 'kserve-test', 'inferencepool.inference.networking.k8s.io/mock-llm-inference-pool']);
      expect(route.metadata.ownerReferences).toEqual([owner]);
      expect(pool.metadata.ownerReferences).toEqual([owner]);
      expect(route.spec.rules.map((r: any) => [r.matches[0].path.value, r.backendRefs.map((b: any) => `${b.kind}/${b.name}`)]))
        .toEqual([['/v1/chat/completions', ['AgentgatewayBackend/mock-llm-backend']]]);
      expect(pool.spec.endpointPickerRef).toMatchObject({ kind: 'Service', name: 'mock-llm-epp-service', port: { number: 9002 } });
    });

    test('the LLMInferenceService reads back as v1alpha1 through its conversion webhook, and a v1alpha1 one is stored as v1alpha2 as KServe converts it', async () => {
      const old = await json(live(), ['get', '-n', 'kserve-test', 'llminferenceservices.v1alpha1.serving.kserve.io/mock-llm']);
      expect(old.apiVersion).toBe('serving.kserve.io/v1alpha1');
      expect(old.spec.model).toEqual({ name: 'mock-llm', uri: 'hf://mock/mock-llm' });
      const v1alpha1 = `apiVersion: serving.kserve.io/v1alpha1
kind: LLMInferenceService
metadata: {name: critical, namespace: kserve-test}
spec:
  model: {name: critical, uri: hf://mock/critical, criticality: Critical}
  router: {scheduler: {pool: {spec: {selector: {app: critical}, targetPortNumber: 8000, extensionRef: {name: critical-epp, portNumber: 9002, failureMode: FailClose}}}}}
`;
      expect((await live().kubectl(['apply', '--server-side', '--field-manager=test', '-f', '-'], v1alpha1)).stderr).toBe('');
      const stored = await json(live(), ['get', '-n', 'kserve-test', 'llminferenceservices.v1alpha2.serving.kserve.io/critical']);
      expect(stored.metadata.annotations).toEqual({ 'internal.serving.kserve.io/model-criticality': 'Critical' });
      expect(stored.spec.model).toEqual({ name: 'critical', uri: 'hf://mock/critical' });
      expect(stored.spec.router.scheduler.pool.spec).toMatchObject({ selector: { matchLabels: { app: 'critical' } }, targetPorts: [{ number: 8000 }],
        endpointPickerRef: { name: 'critical-epp', kind: 'Service', port: { number: 9002 }, failureMode: 'FailClose' } });
      const back = await json(live(), ['get', '-n', 'kserve-test', 'llminferenceservices.v1alpha1.serving.kserve.io/critical']);
      expect(back.spec.model.criticality).toBe('Critical');
      expect(back.metadata.annotations).toBeUndefined();
      expect((await live().kubectl(['delete', '-n', 'kserve-test', 'llminferenceservice/critical'])).code).toBe(0);
    });

    test('a live metered stack moves to plain pool routing once its LLMInferenceService is made anew; KServe\'s route becomes the generated one, to the pool', async () => {
      // Server-side apply drops route.http, which the deploy's field manager owned, and leaves route null rather than
      // the {} applied (kube-apiserver 1.34): the server refuses the service in place, so it is made anew.
      const models = fs.readdirSync(distOf('llmisvc-pool')).find(f => f.endsWith('-models.k8s.yaml'))!;
      const inPlace = await live().kubectl(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', path.join(distOf('llmisvc-pool'), models)]);
      expect(inPlace.stderr).toMatch(/The LLMInferenceService "mock-llm" is invalid: \n\* spec\.router\.route: Invalid value: "null"/);
      expect((await live().kubectl(['delete', '-n', 'kserve-test', 'llminferenceservice/mock-llm', '--wait=true'])).code).toBe(0);
      const pool = await deploy(live(), distOf('llmisvc-pool'));
      expect({ code: pool.code, out: pool.out }).toEqual({ code: 0, out: expect.stringContaining('deployed.') });
      expect(await serverDiff(live(), distOf('llmisvc-pool'))).toEqual([]);
      // The old service's route may linger until the garbage collector takes it: give the new one's its reconcile.
      let chat: any;
      for (let i = 0; i < 40 && !chat; i++, await new Promise(r => setTimeout(r, 250))) {
        const route = await json(live(), ['get', '-n', 'kserve-test', 'httproute/mock-llm-kserve-route']);
        chat = route.spec.rules.find((r: any) => r.matches?.some((m: any) => m.path?.value === '/kserve-test/mock-llm/v1/chat/completions'));
      }
      expect(chat?.backendRefs).toEqual([expect.objectContaining({ group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'mock-llm-inference-pool' })]);
    });

    test('destroy removes the stack\'s objects and what KServe made for them, its namespaces finalize, and its CRDs stay', async () => {
      const crds = (await destroyed(live(), distOf('llmisvc'))).join('\n');
      expect(crds).toMatch(/llminferenceservices\.serving\.kserve\.io/);
      expect(crds).toMatch(/inferencepools\.inference\.networking\.k8s\.io/);
      expect((await live().kubectl(['get', 'httproutes,inferencepools', '-A', '-o', 'name'])).stdout).toBe('');
    });
  }
});

describe('the GitOps output on a fresh control plane', () => {
  const live = withControlPlane();

  test('applies phase by phase in sync-wave order with kubectl apply --server-side -k', async () => {
    const gitops = path.join(distOf('guide'), 'gitops');
    const phases = fs.readdirSync(gitops).filter(d => /^\d{4}-/.test(d)).sort();
    const log: string[] = [];
    for (const phase of phases) {
      // As Argo CD does for a wave, try the phase's sync until it succeeds (CRDs of its own to be established, the
      // webhooks of an earlier wave to be served), bounded.
      let r = await live().kubectl(['apply', '--server-side', '--field-manager=argocd-controller', '-k', path.join(gitops, phase)]);
      for (let i = 0; r.code !== 0 && i < 60; i++) {
        await new Promise(res => setTimeout(res, 1000));
        r = await live().kubectl(['apply', '--server-side', '--field-manager=argocd-controller', '-k', path.join(gitops, phase)]);
      }
      log.push(`${phase}: exit ${r.code}${r.code ? `\n${r.stderr}` : ''}`);
      expect(log.join('\n')).not.toMatch(/exit [1-9]/);
    }
    const wave = JSON.parse((await live().kubectl(['get', 'gateway', '-n', 'kserve', 'kserve-ingress-gateway', '-o', 'json'])).stdout).metadata.annotations['argocd.argoproj.io/sync-wave'];
    expect(wave).toBe(String(phases.findIndex(p => p.endsWith('-ingress'))));
  });
});
