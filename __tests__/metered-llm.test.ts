import { AllowedRoutes, IngressGateway, LlmRouting, MeteredLlm, MeteredLlmOptions } from '../lib';
import { chart, objectsOf, only } from './helpers';

function llm(name: string, namespace = 'team-a', extra: Partial<MeteredLlmOptions> = {}): MeteredLlmOptions {
  return {
    llmInferenceService: { name, namespace, model: { uri: `hf://org/${name}` }, container: { image: 'ghcr.io/llm-d/llm-d-inference-sim:v0.9.0-rc3' } },
    budget: { tokens: 10 },
    ...extra,
  };
}

describe('MeteredLlm', () => {
  test('metered: an AI backend wraps the pool KServe creates, KServe\'s route goes through it, and the budget targets that route', () => {
    const c = chart();
    const gateway = new IngressGateway(c, 'Gateway', { name: 'kserve-ingress-gateway', namespace: 'kserve' });
    const m = new MeteredLlm(c, 'Llm', { gateway, ...llm('mock-llm', 'kserve-test') });
    const objects = objectsOf(c);
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Gateway/kserve-ingress-gateway', 'LLMInferenceService/mock-llm', 'AgentgatewayBackend/mock-llm-backend', 'AgentgatewayPolicy/mock-llm-token-budget',
    ]);
    expect(only(objects, 'AgentgatewayBackend').spec.ai.provider.custom).toEqual({
      backendRef: { group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'mock-llm-inference-pool' },
      model: 'mock-llm',
      formats: [{ type: 'Completions', path: '/v1/chat/completions' }],
    });
    expect(only(objects, 'LLMInferenceService').spec.router).toEqual({
      route: {
        http: {
          spec: {
            parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'kserve-ingress-gateway', namespace: 'kserve' }],
            rules: [{
              backendRefs: [{ group: 'agentgateway.dev', kind: 'AgentgatewayBackend', name: 'mock-llm-backend' }],
              matches: [{ path: { type: 'PathPrefix', value: '/v1/chat/completions' } }],
              timeouts: { backendRequest: '0s', request: '0s' },
            }],
          },
        },
      },
      scheduler: {},
    });
    expect(only(objects, 'AgentgatewayPolicy').spec).toEqual({
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'mock-llm-kserve-route' }],
      traffic: { rateLimit: { local: [{ tokens: 10, unit: 'Minutes' }] } },
    });
    expect(m.pathPrefix).toBe('/v1/chat/completions');
  });

  test('pool routing: KServe generates its route to the pool, with no backend and no budget', () => {
    const c = chart();
    const gateway = new IngressGateway(c, 'Gateway', { name: 'gw', namespace: 'kserve' });
    const m = new MeteredLlm(c, 'Llm', { gateway, ...llm('plain', 'team-a', { budget: undefined, routing: LlmRouting.POOL }) });
    const objects = objectsOf(c);
    expect(objects.map(o => o.kind)).toEqual(['Gateway', 'LLMInferenceService']);
    expect(only(objects, 'LLMInferenceService').spec.router).toEqual({ route: {}, scheduler: {} });
    expect([m.backend, m.budget]).toEqual([undefined, undefined]);
  });

  test('two metered LLMs on a gateway the app does not own share a namespace without a collision', () => {
    const c = chart();
    const gateway = IngressGateway.fromGatewayAttributes(c, 'Shared', { name: 'shared-gw', namespace: 'infra', listenerName: 'http' });
    new MeteredLlm(c, 'Chat', { gateway, ...llm('chat') });
    new MeteredLlm(c, 'Code', { gateway, ...llm('code', 'team-a', { budget: { tokens: 500, name: 'code-budget' } }) });
    const objects = objectsOf(c);
    const names = objects.map(o => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`);
    expect(names).toEqual([
      'LLMInferenceService/team-a/chat', 'AgentgatewayBackend/team-a/chat-backend', 'AgentgatewayPolicy/team-a/chat-token-budget',
      'LLMInferenceService/team-a/code', 'AgentgatewayBackend/team-a/code-backend', 'AgentgatewayPolicy/team-a/code-budget',
    ]);
    expect(only(objects, 'LLMInferenceService', 'code').spec.router.route.http.spec.parentRefs)
      .toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'shared-gw', namespace: 'infra', sectionName: 'http' }]);
  });

  test('a gateway that does not admit the model\'s namespace is refused when the app is built', () => {
    const c = chart();
    const gateway = new IngressGateway(c, 'Gateway', { name: 'gw', namespace: 'kserve', allowedRoutes: AllowedRoutes.sameNamespace() });
    expect(() => new MeteredLlm(c, 'Llm', { gateway, ...llm('m', 'team-a') }))
      .toThrow(/MeteredLlm test\/Llm: llmInferenceService.namespace must be a namespace that Gateway kserve\/gw admits .*widen the gateway's allowedRoutes, got "team-a"/);
  });

  test('options that need an AI backend are refused with pool routing, all at once; metered needs a budget', () => {
    const gateway = () => IngressGateway.fromGatewayAttributes(chart(), 'G', { name: 'gw', namespace: 'infra' });
    expect(() => new MeteredLlm(chart(), 'Llm', { gateway: gateway(), ...llm('m', 'a', { routing: LlmRouting.POOL, pathPrefix: '/v1', backend: {} }) }))
      .toThrow(/3 problems:\n  - budget must be unset with LlmRouting.POOL.*\n  - backend must be unset.*\n  - pathPrefix must be unset/);
    expect(() => new MeteredLlm(chart(), 'Llm', { gateway: gateway(), ...llm('m', 'a', { budget: undefined }) }))
      .toThrow(/budget must be set with LlmRouting.METERED \(at least \{ tokens \}\); for no budget use routing: LlmRouting.POOL/);
  });

  test('a network policy admits the model\'s pods only from the gateway proxy and the model\'s endpoint picker', () => {
    const c = chart();
    const gateway = new IngressGateway(c, 'Gateway', { name: 'gw', namespace: 'kserve' });
    new MeteredLlm(c, 'Llm', { gateway, ...llm('m', 'team-a', { networkPolicy: true }) });
    const policy = only(objectsOf(c), 'NetworkPolicy');
    expect(policy.metadata).toEqual({ name: 'm-workload-ingress', namespace: 'team-a' });
    expect(policy.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/part-of': 'llminferenceservice', 'app.kubernetes.io/name': 'm', 'kserve.io/component': 'workload' });
    expect(policy.spec.ingress).toEqual([{
      from: [
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kserve' } }, podSelector: { matchLabels: gateway.proxyLabels } },
        { podSelector: { matchLabels: { 'app.kubernetes.io/component': 'llminferenceservice-router-scheduler', 'app.kubernetes.io/name': 'm', 'app.kubernetes.io/part-of': 'llminferenceservice' } } },
      ],
      ports: [{ port: 8000, protocol: 'TCP' }],
    }]);
  });
});
