import { IngressGateway, LlmInferenceService, LlmRoute } from '../lib';
import { kmetaChildName, llmisvcGeneratedNames } from '../lib/shared/kserve-conventions';
import { chart, objectsOf, only } from './helpers';

describe('kmetaChildName: the names KServe derives, as knative.dev/pkg kmeta.ChildName spells them', () => {
  // knative.dev/pkg@v0.0.0-20260120122510-4a022ed9999a kmeta/names_test.go
  test.each([
    ['asdf', '-deployment', 'asdf-deployment'],
    ['f'.repeat(63), '-deployment', 'ffffffffffffffffffff105d7597f637e83cc711605ac3ea4957-deployment'],
    ['f'.repeat(63), '-deploy', 'ffffffffffffffffffffffff105d7597f637e83cc711605ac3ea4957-deploy'],
    ['f'.repeat(63), 'f'.repeat(63), 'fffffffffffffffffffffffffffffff0502661254f13c89973cb3a83e0cbec0'],
    ['a', 'f'.repeat(63), 'ab5cfd486935decbc0d305799f4ce4414ffffffffffffffffffffffffffffff'],
    ['b'.repeat(32), 'f'.repeat(32), 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb329c7c81b9ab3ba71aa139066aa5625d'],
    ['aaaa', 'b---a'.repeat(20), 'aaaa7a3f7966594e3f0849720eced8212c18b---ab---ab---ab---ab---ab'],
    ['a'.repeat(17), 'a.-.-.-.-.-.-.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaaaa1eb10dc911444f8434af83b7225442da'],
  ])('ChildName(%j, %j)', (parent, suffix, want) => {
    expect(kmetaChildName(parent, suffix)).toBe(want);
  });

  test('the guide model\'s children carry the names its commands use', () => {
    expect(llmisvcGeneratedNames('mock-llm')).toEqual({
      route: 'mock-llm-kserve-route',
      inferencePool: 'mock-llm-inference-pool',
      scheduler: 'mock-llm-kserve-router-scheduler',
      schedulerService: 'mock-llm-epp-service',
      workloadService: 'mock-llm-kserve-workload-svc',
      workload: 'mock-llm-kserve',
    });
  });

  test('a long name is hashed into 63 characters, as KServe does, so a policy still targets the right route', () => {
    const name = 'a-very-long-language-model-name-for-a-team-that-names-things';
    const route = llmisvcGeneratedNames(name).route;
    expect(route).toHaveLength(63);
    expect(route.endsWith('-kserve-route')).toBe(true);
    expect(route).not.toContain(name);
  });
});

describe('LlmInferenceService', () => {
  const sim = { image: 'ghcr.io/llm-d/llm-d-inference-sim:v0.9.0-rc3', args: ['--mode', 'echo'] };

  test('writes a v1alpha2 LLMInferenceService with a generated route and the managed scheduler by default', () => {
    const c = chart();
    const llm = new LlmInferenceService(c, 'Llm', { name: 'qwen', namespace: 'team-a', model: { uri: 'hf://Qwen/Qwen3-0.6B' }, container: sim });
    const o = only(objectsOf(c), 'LLMInferenceService', 'qwen');
    expect(o.apiVersion).toBe('serving.kserve.io/v1alpha2');
    expect(o.spec.model).toEqual({ name: 'qwen', uri: 'hf://Qwen/Qwen3-0.6B' });
    expect(o.spec.router).toEqual({ route: {}, scheduler: {} });
    expect(o.spec.template.containers).toEqual([{ name: 'main', image: sim.image, args: ['--mode', 'echo'], ports: [{ name: 'http', containerPort: 8000 }] }]);
    expect(llm.route).toEqual({ routeName: 'qwen-kserve-route', routeNamespace: 'team-a' });
    expect(llm.inferencePool).toEqual({ poolName: 'qwen-inference-pool', poolNamespace: 'team-a' });
  });

  test('an overridden route keeps KServe\'s route name; no route and no scheduler leave nothing to reference', () => {
    const c = chart();
    const spec = { parentRefs: [{ name: 'gw', namespace: 'infra' }], rules: [{ backendRefs: [{ name: 'svc', port: 80 }] }] };
    const over = new LlmInferenceService(c, 'Over', { name: 'a', namespace: 'ns', model: { uri: 'hf://x/a' }, router: { route: LlmRoute.override(spec) } });
    const bare = new LlmInferenceService(c, 'Bare', { name: 'b', namespace: 'ns', model: { uri: 'hf://x/b' }, router: { route: LlmRoute.none(), scheduler: false } });
    const objects = objectsOf(c);
    expect(only(objects, 'LLMInferenceService', 'a').spec.router.route).toEqual({ http: { spec } });
    expect(only(objects, 'LLMInferenceService', 'b').spec.router).toEqual({});
    expect(over.route?.routeName).toBe('a-kserve-route');
    expect([bare.route, bare.inferencePool]).toEqual([undefined, undefined]);
  });

  test('gateway refs name the gateways the generated route attaches to', () => {
    const c = chart();
    const gateway = IngressGateway.fromGatewayAttributes(c, 'Shared', { name: 'shared', namespace: 'infra' });
    new LlmInferenceService(c, 'Llm', { name: 'm', model: { uri: 'hf://x/m' }, router: { gateways: [gateway] } });
    expect(only(objectsOf(c), 'LLMInferenceService').spec.router.gateway).toEqual({ refs: [{ name: 'shared', namespace: 'infra' }] });
  });

  test('every bad prop is reported at once, each with the fix', () => {
    const c = chart();
    expect(() => new LlmInferenceService(c, 'Bad', {
      name: 'Bad_Name', model: { uri: 'mock-llm' }, replicas: -1,
      container: { image: 'a b', port: 70000, resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } },
      template: { containers: [] },
    })).toThrow(new RegExp([
      'LlmInferenceService test/Bad: 7 problems:',
      '  - name must be .*got "Bad_Name"',
      '  - model.uri must be a model URI with a scheme.*got "mock-llm"',
      '  - replicas must be a whole number, 0 or more, got -1',
      '  - template must be unset when container is set.*',
      '  - container.image must be .*got "a b"',
      '  - container.port must be a whole number from 1 to 65535, got 70000',
      '  - container.resources.limits.cpu \\(1\\) must be at least container.resources.requests.cpu \\(2\\).*',
    ].join('\\n')));
  });

  test('resources are Kubernetes quantities in the object, and a digest pins the image', () => {
    const c = chart();
    const digest = `sha256:${'a'.repeat(64)}`;
    new LlmInferenceService(c, 'Llm', { name: 'm', model: { uri: 'hf://x/m' }, container: { ...sim, imageDigest: digest, resources: { limits: { cpu: '1', memory: '1Gi' } } } });
    const container = only(objectsOf(c), 'LLMInferenceService').spec.template.containers[0];
    expect(container.resources).toEqual({ limits: { cpu: '1', memory: '1Gi' } });
    expect(container.image).toBe(`${sim.image}@${digest}`);
  });
});
