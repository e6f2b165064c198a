import { AiBackend, AiRoute, AllowedRoutes, InferenceService, IngressGateway } from '../lib';
import { chart, objectsOf, only, synthesizing } from './helpers';

function setup(gatewayProps = {}, isvcProps = {}) {
  const c = chart();
  const gateway = new IngressGateway(c, 'Gateway', { name: 'kserve-ingress-gateway', namespace: 'kserve', ...gatewayProps });
  const isvc = new InferenceService(c, 'Isvc', { name: 'mock-llm', namespace: 'kserve-test', image: 'vllm/vllm-openai:v0.11.0', ...isvcProps });
  const backend = new AiBackend(c, 'Backend', { inferenceService: isvc });
  return { c, gateway, isvc, backend };
}

describe('AiRoute', () => {
  test('uses the inference service\'s hostname, the backend path and the gateway as parent', () => {
    const { c, gateway, backend } = setup({ name: 'edge', namespace: 'ingress' }, { name: 'qwen', namespace: 'models' });
    const route = new AiRoute(c, 'Route', { backend, gateway });
    const spec = only(objectsOf(c), 'HTTPRoute').spec;
    expect(route.routeName).toBe('qwen-ai');
    expect(spec.hostnames).toEqual(['qwen-models.example.com']);
    expect(spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge', namespace: 'ingress' }]);
    expect(spec.rules[0].matches).toEqual([{ path: { type: 'PathPrefix', value: '/v1/chat/completions' } }]);
    expect(spec.rules[0].backendRefs).toEqual([{ group: 'agentgateway.dev', kind: 'AgentgatewayBackend', name: 'qwen-backend', namespace: 'models' }]);
  });

  test('takes explicit hostnames and path prefix', () => {
    const { c, gateway, backend } = setup();
    new AiRoute(c, 'Route', { backend, gateway, hostnames: ['llm.example.com', '*.llm.example.com'], pathPrefix: '/v1' });
    const spec = only(objectsOf(c), 'HTTPRoute').spec;
    expect(spec.hostnames).toEqual(['llm.example.com', '*.llm.example.com']);
    expect(spec.rules[0].matches[0].path.value).toBe('/v1');
  });

  test('is admitted by a gateway that selects its namespace by label', () => {
    const { c, gateway, backend } = setup({ allowedRoutes: AllowedRoutes.fromNamespacesLabelled({ team: 'a' }) });
    expect(synthesizing(() => new AiRoute(c, 'Route', { backend, gateway, namespaceLabels: { team: 'a' } }))).not.toThrow();
  });

  describe('fails with an error naming the prop', () => {
    test('when the gateway admits only its own namespace', () => {
      const { c, gateway, backend } = setup({ allowedRoutes: AllowedRoutes.sameNamespace() });
      expect(synthesizing(() => new AiRoute(c, 'Route', { backend, gateway })))
        .toThrow(/AiRoute .*: namespace must be a namespace that Gateway kserve\/kserve-ingress-gateway admits \(it admits routes from its own namespace only\).*got "kserve-test"/);
    });
    test('when the route\'s namespace lacks the labels the gateway selects', () => {
      const { c, gateway, backend } = setup({ allowedRoutes: AllowedRoutes.fromNamespacesLabelled({ team: 'a' }) });
      expect(synthesizing(() => new AiRoute(c, 'Route', { backend, gateway, namespaceLabels: { team: 'b' } })))
        .toThrow(/admits routes from namespaces labelled \{"team":"a"\}/);
    });
    test.each([
      ['a path prefix without a leading slash', { pathPrefix: 'llm' }, /pathPrefix must be an absolute path starting with "\/", got "llm"/],
      ['a hostname that is not RFC 1123', { hostnames: ['Mock LLM.example.com'] }, /hostnames\[0\] must be an RFC 1123 host name/],
      ['no hostnames', { hostnames: [] }, /hostnames must be at least one host name/],
      ['a name that is not DNS-1123', { name: 'AI_Route' }, /name must be a DNS-1123 subdomain/],
      ['a namespace other than the backend\'s', { namespace: 'other' }, /namespace must be the backend's namespace "kserve-test"/],
    ])('for %s', (_, props, message) => {
      const { c, gateway, backend } = setup();
      expect(synthesizing(() => new AiRoute(c, 'Route', { backend, gateway, ...props }))).toThrow(message);
    });
  });
});
