import { AiBackend, InferenceService } from '../lib';
import { chart, objectsOf, only, synthesizing } from './helpers';

describe('AiBackend', () => {
  test('derives name, namespace, model, host and port from the inference service', () => {
    const c = chart();
    const isvc = new InferenceService(c, 'Isvc', { name: 'qwen', namespace: 'models', image: 'vllm/vllm-openai:v0.11.0' });
    const backend = new AiBackend(c, 'Backend', { inferenceService: isvc });
    expect(only(objectsOf(c), 'AgentgatewayBackend')).toEqual({
      apiVersion: 'agentgateway.dev/v1alpha1',
      kind: 'AgentgatewayBackend',
      metadata: { name: 'qwen-backend', namespace: 'models' },
      spec: { ai: { provider: { openai: { model: 'qwen' }, host: 'qwen-predictor.models.svc.cluster.local', port: 80, path: '/v1/chat/completions' } } },
    });
    expect(backend.inferenceService).toBe(isvc);
  });

  test('lets every derived value be overridden', () => {
    const c = chart();
    const isvc = new InferenceService(c, 'Isvc', { name: 'qwen', image: 'vllm/vllm-openai:v0.11.0' });
    new AiBackend(c, 'Backend', { inferenceService: isvc, name: 'b', model: 'gpt-mock', host: 'sim.kserve-test.svc', port: 8000, path: '/llm/chat/completions' });
    const provider = only(objectsOf(c), 'AgentgatewayBackend').spec.ai.provider;
    expect(provider).toEqual({ openai: { model: 'gpt-mock' }, host: 'sim.kserve-test.svc', port: 8000, path: '/llm/chat/completions' });
  });

  test('works without an inference service when name, namespace, model and host are given', () => {
    const c = chart();
    new AiBackend(c, 'Backend', { name: 'ext', namespace: 'ai', model: 'm', host: 'llm.ai.svc.cluster.local' });
    expect(only(objectsOf(c), 'AgentgatewayBackend').spec.ai.provider.port).toBe(80);
  });

  describe('fails with an error naming the prop', () => {
    const withIsvc = (props: any) => synthesizing(() => {
      const c = chart();
      new AiBackend(c, 'Backend', { inferenceService: new InferenceService(c, 'Isvc', { name: 'qwen', image: 'vllm/vllm-openai:v0.11.0' }), ...props });
      return c;
    });
    test('without an inference service or an explicit target', () => {
      expect(synthesizing(() => new AiBackend(chart(), 'Backend', { model: 'm' }))).toThrow(/AiBackend .*: inferenceService must be set, or else name, namespace, model and host/);
    });
    test.each([
      ['port 0', { port: 0 }, /port must be a whole number from 1 to 65535, got 0/],
      ['port 70000', { port: 70000 }, /port must be a whole number from 1 to 65535, got 70000/],
      ['path without a leading slash', { path: 'llm/chat/completions' }, /path must be an absolute path starting with "\/", got "llm\/chat\/completions"/],
      ['host that is not RFC 1123', { host: 'mock_llm.svc' }, /host must be an RFC 1123 host name.*got "mock_llm.svc"/],
      ['name that is not DNS-1123', { name: 'Mock-Backend' }, /name must be a DNS-1123 subdomain/],
      ['empty model', { model: '' }, /model must be a non-empty model name/],
      ['unknown provider', { provider: 'bedrock' }, /provider must be one of openai, got "bedrock"/],
    ])('%s', (_, props, message) => {
      expect(withIsvc(props)).toThrow(message);
    });
  });
});
