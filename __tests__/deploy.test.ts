// deploy and destroy against the kubectl double (a fresh API server that refuses what a real one refuses), on a
// small stack written for the test (each test its own cluster, so they run concurrently); the whole synthesized stacks run in `npm run test:slow` (__tests__/slow/).
import * as fs from 'fs';
import * as path from 'path';
import { deployPlan } from '../lib/ops/deploy-plan';
import { Kubectl } from '../lib/ops/kubectl';
import { readPhases } from '../lib/ops/manifests';
import { llmisvcGeneratedNames } from '../lib/shared/kserve-conventions';
import { cloneOf, conversion, converterObjects, convertingCrd, deploy, destroy, FRESH_NAMESPACES, present, SMALL_STACK, writeStack } from './deploy-helpers';
import { TEST_DIST as dist } from './global-setup';
import { kubeDouble } from './kube-double/build';

describe('the deploy plan', () => {
  // dist is a link another test run may swap at any moment: the plan names files in the version it resolved once.
  const phases = readPhases(dist);
  const steps = deployPlan(phases);
  const version = path.dirname(phases[0].file);
  const at = (pred: (s: (typeof steps)[number]) => boolean) => steps.findIndex(pred);

  test('applies a file\'s CRDs alone and waits until they are established before the rest of the file', () => {
    const crds = at(s => s.title === 'apply 0002-cert-manager: CRDs first (6 objects)');
    const established = at(s => s.args[0] === 'wait' && s.args.includes('crd/certificates.cert-manager.io'));
    const rest = at(s => s.title === 'apply 0002-cert-manager: the objects besides CRDs (41 objects)');
    expect(crds).toBeGreaterThanOrEqual(0);
    expect(steps[crds].input).toMatch(/^kind: CustomResourceDefinition/m);
    expect(steps[crds].input).not.toMatch(/^kind: (?!CustomResourceDefinition)/m);
    expect(crds).toBeLessThan(established);
    expect(established).toBeLessThan(rest);
    expect(steps[rest].input).not.toMatch(/^kind: CustomResourceDefinition/m);
  });

  test('applies KServe\'s ClusterStorageContainer only after its CRD is established and KServe\'s controller and webhooks are up', () => {
    const resources = at(s => s.title === 'apply 0005-kserve-resources (1 object)');
    expect(at(s => s.args[0] === 'wait' && s.args.includes('crd/clusterstoragecontainers.serving.kserve.io'))).toBeLessThan(resources);
    expect(at(s => s.args.includes('deployment/kserve-controller-manager'))).toBeLessThan(resources);
    expect(at(s => s.args.includes('kubernetes.io/service-name=kserve-webhook-server-service'))).toBeLessThan(resources);
  });

  test('applies KServe only after cert-manager is available and its webhook serves (KServe\'s Issuer and Certificates need it)', () => {
    const kserve = at(s => s.title === 'apply 0004-kserve (45 objects)');
    expect(at(s => /wait: Deployments available in cert-manager/.test(s.title))).toBeLessThan(kserve);
    expect(at(s => s.title === 'wait: webhook Service cert-manager/cert-manager-webhook serving')).toBeLessThan(kserve);
  });

  test('applies the models only after KServe\'s controller, certificate and webhook, and the Gateway; then waits for the guide\'s conditions', () => {
    const models = at(s => s.title === 'apply 0007-models (5 objects)');
    expect(at(s => s.args.includes('deployment/kserve-controller-manager'))).toBeLessThan(models);
    expect(at(s => s.args.includes('certificate.cert-manager.io/serving-cert'))).toBeLessThan(models);
    expect(at(s => s.args.includes('kubernetes.io/service-name=kserve-webhook-server-service'))).toBeLessThan(models);
    expect(at(s => s.args.includes('gateway.gateway.networking.k8s.io/kserve-ingress-gateway'))).toBeLessThan(models);
    expect(steps.slice(models + 1).map(s => s.args.join(' '))).toEqual([
      expect.stringMatching(/--for=condition=Ready inferenceservice.serving.kserve.io\/mock-llm/),
      expect.stringMatching(/type=="Accepted".*agentgatewaypolicy.agentgateway.dev\/llm-token-budget/),
      expect.stringMatching(/type=="Attached".*agentgatewaypolicy.agentgateway.dev\/llm-token-budget/),
    ]);
  });

  test('applies a whole file with -f when nothing in it has to wait', () => {
    expect(steps.find(s => s.title === 'apply 0006-ingress (1 object)')?.args)
      .toEqual(['apply', '--server-side', '--field-manager=kserve-agentgateway-stack', '-f', path.join(version, '0006-ingress.k8s.yaml')]);
  });

  test('applies an object a webhook of its own phase admits only after that webhook serves', () => {
    const plan = deployPlan(readPhases(SMALL_STACK));
    const serving = plan.findIndex(s => s.title === 'wait: webhook Service guard/guard-webhook serving');
    const gated = plan.findIndex(s => s.title === 'apply 0000-guard: what the webhooks of guard-webhook admit (1 object)');
    expect(serving).toBeGreaterThan(plan.findIndex(s => /Deployments available in guard/.test(s.title)));
    expect(gated).toBeGreaterThan(serving);
    expect(plan[gated].input).toMatch(/^kind: Rule\nmetadata:\n {2}name: default/m);
  });
});

describe('the deploy plan, for a CRD whose versions a webhook converts', () => {
  const titles = (phases: Record<string, object[]>) => deployPlan(readPhases(writeStack(phases))).map(s => s.title);

  test('waits for the converter\'s Service where it is deployed, before any custom resource of the CRD in a later phase', () => {
    const plan = titles({ '0000-crds': [convertingCrd], '0001-converter': converterObjects, '0002-app': [conversion('a')] });
    expect(plan).toEqual([
      'apply 0000-crds (1 object)',
      'wait: 1 CRD of 0000-crds established',
      'apply 0001-converter (3 objects)',
      'wait: Deployments available in convert (converter)',
      'wait: webhook Service convert/converter serving',
      'apply 0002-app (1 object)',
    ]);
  });

  test('applies a custom resource in the converter\'s own phase only after the converter serves', () => {
    const plan = titles({ '0000-crds': [convertingCrd], '0001-converter': [...converterObjects, conversion('a')] });
    expect(plan.slice(2)).toEqual([
      'apply 0001-converter: all but what its webhooks convert (3 objects)',
      'wait: Deployments available in convert (converter)',
      'wait: webhook Service convert/converter serving',
      'apply 0001-converter: what the webhooks of converter convert (1 object)',
    ]);
  });

  test('waits for a converter dist/ does not deploy before the first custom resource it converts, and only once', () => {
    const plan = titles({ '0000-crds': [convertingCrd], '0001-app': [converterObjects[0], conversion('a')], '0002-more': [conversion('b')] });
    expect(plan.slice(2)).toEqual([
      'apply 0001-app: all but what its webhooks convert (1 object)',
      'wait: webhook Service convert/converter serving',
      'apply 0001-app: what the webhooks of converter convert (1 object)',
      'apply 0002-more (1 object)',
    ]);
  });

  test('gates an LLMInferenceService by its CRD\'s conversion webhook; in the whole stack KServe\'s phase waits for that webhook, once', () => {
    const crds = readPhases(dist).find(p => p.name.endsWith('-kserve-crds'))!;
    const kserve = readPhases(dist).find(p => p.name.endsWith('-kserve'))!;
    const llmisvc = { apiVersion: 'serving.kserve.io/v1alpha2', kind: 'LLMInferenceService', metadata: { name: 'm', namespace: 'kserve-test' } };
    const stack = writeStack({ '0000-kserve-crds': [], '0001-models': [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kserve-test' } }, llmisvc] });
    fs.copyFileSync(crds.file, path.join(stack, '0000-kserve-crds.k8s.yaml'));
    const plan = deployPlan(readPhases(stack)).map(s => s.title);
    // No Service of KServe's in this dist/: the wait for the converter comes right before the LLMInferenceService.
    expect(plan.slice(-4)).toEqual([
      'apply 0001-models: all but what its webhooks convert (1 object)',
      'wait: webhook Service kserve/llmisvc-webhook-server-service serving',
      'apply 0001-models: what the webhooks of llmisvc-webhook-server-service convert (1 object)',
      'wait: LLMInferenceServices ready in kserve-test (m)',
    ]);
    // In the whole stack, KServe's phase deploys that Service and waits for it; nothing later waits again.
    const whole = deployPlan(readPhases(dist)).map(s => s.title);
    expect(whole.filter(t => t === 'wait: webhook Service kserve/llmisvc-webhook-server-service serving')).toHaveLength(1);
    expect(whole.indexOf('wait: webhook Service kserve/llmisvc-webhook-server-service serving')).toBeGreaterThan(whole.indexOf(`apply ${kserve.name} (${kserve.objects.length} objects)`));
  });
});

describe('the deploy plan, for an LLMInferenceService', () => {
  const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kserve-test' } };
  const llmisvc = (name: string, route: object) => ({ apiVersion: 'serving.kserve.io/v1alpha2', kind: 'LLMInferenceService', metadata: { name, namespace: 'kserve-test' },
    spec: { model: { uri: 'hf://mock/mock-llm' }, router: { route, scheduler: {} } } });
  const override = { http: { spec: { parentRefs: [{ name: 'kserve-ingress-gateway', namespace: 'kserve' }], rules: [{ backendRefs: [{ group: 'agentgateway.dev', kind: 'AgentgatewayBackend', name: 'mock-llm-backend' }] }] } } };
  const budget = { apiVersion: 'agentgateway.dev/v1alpha1', kind: 'AgentgatewayPolicy', metadata: { name: 'mock-llm-token-budget', namespace: 'kserve-test' },
    spec: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'mock-llm-kserve-route' }], traffic: { rateLimit: { local: [{ tokens: 10, unit: 'Minutes' }] } } } };

  test('waits for it to be Ready, then for the route KServe makes from it to be accepted, then for the budget on that route', () => {
    const steps = deployPlan(readPhases(writeStack({ '0000-models': [namespace, llmisvc('mock-llm', override), budget] })));
    expect(steps.map(s => s.args.join(' '))).toEqual([
      expect.stringMatching(/^apply .* -f \S+0000-models.k8s.yaml$/),
      'wait -n kserve-test --for=condition=Ready llminferenceservice.serving.kserve.io/mock-llm',
      'wait -n kserve-test --for=jsonpath={.status.parents[0].conditions[?(@.type=="Accepted")].status}=True httproute.gateway.networking.k8s.io/mock-llm-kserve-route',
      expect.stringMatching(/type=="Accepted".*agentgatewaypolicy.agentgateway.dev\/mock-llm-token-budget$/),
      expect.stringMatching(/type=="Attached".*agentgatewaypolicy.agentgateway.dev\/mock-llm-token-budget$/),
    ]);
    expect(steps[2].title).toBe('wait: HTTPRoutes made by KServe accepted in kserve-test (mock-llm-kserve-route)');
  });

  test('waits for the route KServe generates for plain InferencePool routing (route: {}), named as KServe names it', () => {
    const long = 'a-model-name-long-enough-that-kserve-must-shorten-its-route-name';
    const steps = deployPlan(readPhases(writeStack({ '0000-models': [namespace, llmisvc('mock-llm', {}), llmisvc(long, {})] })));
    expect(steps.map(s => s.title)).toEqual([
      'apply 0000-models (3 objects)',
      `wait: LLMInferenceServices ready in kserve-test (mock-llm, ${long})`,
      `wait: HTTPRoutes made by KServe accepted in kserve-test (mock-llm-kserve-route, ${llmisvcGeneratedNames(long).route})`,
    ]);
    expect(llmisvcGeneratedNames(long).route).toHaveLength(63);
  });

  test('waits for no route when the LLMInferenceService names its own routes or has none', () => {
    const ownRoutes = llmisvc('by-refs', { http: { refs: [{ name: 'mine' }] } });
    const noRoute = { ...llmisvc('no-route', {}), spec: { model: { uri: 'hf://mock/mock-llm' } } };
    const steps = deployPlan(readPhases(writeStack({ '0000-models': [namespace, ownRoutes, noRoute] })));
    expect(steps.map(s => s.title)).toEqual(['apply 0000-models (3 objects)', 'wait: LLMInferenceServices ready in kserve-test (by-refs, no-route)']);
  });
});

describe('npm run deploy', () => {
  jest.setTimeout(30_000);
  test.concurrent('deploys on a fresh cluster in one run, and a second run changes nothing', async () => {
    const cluster = kubeDouble();
    const first = await deploy([], cluster, SMALL_STACK);
    expect(first.out).not.toMatch(/FAILED/);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^\[\s+\d+\.\ds\]\s+1\/7 ok: apply 0000-guard: CRDs first \(1 object\)$/m);
    expect(cluster.journal().filter(l => !l.startsWith('created '))).toEqual([]);
    const before = cluster.objects();
    const written = cluster.journal().length;
    expect((await deploy([], cluster, SMALL_STACK)).code).toBe(0);
    expect(cluster.journal().slice(written)).toEqual(cluster.journal().slice(0, written).map(l => l.replace(/^created/, 'unchanged')));
    expect(cluster.objects()).toEqual(before);
  });

  test.concurrent('applying each file whole, as one `kubectl apply -f` per file does, fails on a fresh cluster', async () => {
    const kubectl = new Kubectl({ env: kubeDouble().env });
    const first = await kubectl.run(['apply', '--server-side', '-f', path.join(SMALL_STACK, '0000-guard.k8s.yaml')]);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/no matches for kind "Rule" in version "guard.example.com\/v1"\nensure CRDs are installed first/);
  });

  test.concurrent('kills a kubectl that hangs when --timeout runs out, naming the step and the command', async () => {
    const { code, out, ms } = await deploy(['--timeout', '1s'], kubeDouble({ KUBE_DOUBLE_HANG: '^apply ' }), SMALL_STACK);
    expect(code).toBe(1);
    expect(out).toMatch(/\] {2}1\/\d+ FAILED: apply 0000-guard: CRDs first \(1 object\)\n {2}killed when --timeout 1s ran out \([\d.]+ s in\), still running: kubectl apply --server-side --field-manager=kserve-agentgateway-stack -f - < \(the CRDs of \S+0000-guard.k8s.yaml\)/);
    expect(ms).toBeLessThan(4000);
  });

  test.concurrent('--dry-run prints the plan and calls no kubectl', async () => {
    const cluster = kubeDouble();
    const { code, out } = await deploy(['--dry-run'], cluster, dist);
    expect(code).toBe(0);
    expect(cluster.journal()).toEqual([]);
    expect(out).toMatch(/\$ kubectl apply --server-side --field-manager=kserve-agentgateway-stack -f - < \(the CRDs of \S+0000-gateway-api.k8s.yaml\)/);
    expect(out).toMatch(/\$ kubectl wait --for=condition=Established .* '--timeout=<what is left of 20m>'/);
  });

  test.concurrent('rejects a bad --timeout', async () => {
    expect((await deploy(['--timeout', 'soon'], kubeDouble(), SMALL_STACK)).code).toBe(2);
  });
});

describe('npm run destroy', () => {
  const deployed = kubeDouble();
  beforeAll(async () => {
    expect((await deploy([], deployed, SMALL_STACK)).code).toBe(0);
  });

  test('deletes in reverse order, keeps CRDs, and waits for namespaces to go', async () => {
    const cluster = cloneOf(deployed);
    const { code, out } = await destroy(['--yes'], cluster, SMALL_STACK);
    expect(out).not.toMatch(/FAILED/);
    expect(code).toBe(0);
    expect(present(cluster)).toEqual(['CustomResourceDefinition/rules.guard.example.com', ...FRESH_NAMESPACES.map(n => `Namespace/${n}`)]);
    const order = cluster.journal();
    expect(order.findIndex(l => l === 'deleted rule.guard.example.com/app')).toBeLessThan(order.findIndex(l => l === 'deleted rule.guard.example.com/default'));
    expect(out).toMatch(/ok: wait: namespaces gone \(app\)[^]*ok: delete 0000-guard/);
  });

  test('deletes CRDs only with --include-crds, and a second run finds nothing left to do', async () => {
    const cluster = cloneOf(deployed);
    expect((await destroy(['--yes', '--include-crds'], cluster, SMALL_STACK)).code).toBe(0);
    expect(present(cluster)).toEqual(FRESH_NAMESPACES.map(n => `Namespace/${n}`));
    const again = await destroy(['--yes', '--include-crds'], cluster, SMALL_STACK);
    expect(again.out).not.toMatch(/FAILED/);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/ok: delete 0001-app \(3 objects\) \(1 of kinds the cluster does not serve: none exist\)/);
  });

});
