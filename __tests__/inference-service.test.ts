import { Chart, Testing } from 'cdk8s';
import { InferenceService } from '../lib';
import { chart, objectsOf, only, synthesizing } from './helpers';

const GUIDE_ISVC = { name: 'mock-llm', namespace: 'kserve-test', image: 'sharat87/httpbun:latest' };

describe('InferenceService', () => {
  test('derives the predictor Service name and cluster-local host from name and namespace', () => {
    const isvc = new InferenceService(chart(), 'Isvc', { name: 'qwen', namespace: 'models', image: 'vllm/vllm-openai:v0.11.0' });
    expect(isvc.predictorServiceName).toBe('qwen-predictor');
    expect(isvc.predictorHost).toBe('qwen-predictor.models.svc.cluster.local');
    expect(isvc.predictorPort).toBe(80);
  });

  test('names the routes KServe generates after the inference service', () => {
    const isvc = new InferenceService(chart(), 'Isvc', GUIDE_ISVC);
    expect(isvc.generatedRouteName).toBe('mock-llm');
    expect(isvc.generatedPredictorRouteName).toBe('mock-llm-predictor');
  });

  test('computes hostnames from KServe\'s default domain template', () => {
    const isvc = new InferenceService(chart(), 'Isvc', GUIDE_ISVC);
    expect(isvc.hostname).toBe('mock-llm-kserve-test.example.com');
    expect(isvc.predictorHostname).toBe('mock-llm-predictor-kserve-test.example.com');
    expect(isvc.url).toBe('http://mock-llm-kserve-test.example.com');
  });

  test('follows a custom ingress domain, template and scheme', () => {
    const isvc = new InferenceService(chart(), 'Isvc', {
      name: 'chat',
      namespace: 'team',
      image: 'vllm/vllm-openai:v0.11.0',
      ingress: { ingressDomain: 'llm.corp.io', domainTemplate: '{{ .Name }}.{{ .Namespace }}.{{ .IngressDomain }}', urlScheme: 'https' },
    });
    expect(isvc.hostname).toBe('chat.team.llm.corp.io');
    expect(isvc.url).toBe('https://chat.team.llm.corp.io');
  });

  test('puts image, container name, port and resources on the predictor container', () => {
    const c = chart();
    new InferenceService(c, 'Isvc', {
      name: 'sim',
      image: 'ghcr.io/llm-d/llm-d-inference-sim:v0.5.0',
      containerName: 'sim',
      containerPort: 8000,
      resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '2Gi' } },
    });
    const container = only(objectsOf(c), 'InferenceService').spec.predictor.containers[0];
    expect(container).toEqual({
      name: 'sim',
      image: 'ghcr.io/llm-d/llm-d-inference-sim:v0.5.0',
      ports: [{ containerPort: 8000, protocol: 'TCP' }],
      resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '2Gi' } },
    });
  });

  test('requires no demo values: namespace from the chart, KServe\'s port 8080, no resources unless given', () => {
    const c = new Chart(Testing.app(), 'team', { namespace: 'team-a' });
    const isvc = new InferenceService(c, 'Isvc', { name: 'chat', image: 'vllm/vllm-openai:v0.11.0' });
    expect(isvc.namespace).toBe('team-a');
    expect(only(objectsOf(c), 'InferenceService').spec.predictor.containers).toEqual([
      { name: 'kserve-container', image: 'vllm/vllm-openai:v0.11.0', ports: [{ containerPort: 8080, protocol: 'TCP' }] },
    ]);
  });

  test('defaults the namespace to "default" in a chart without one', () => {
    expect(new InferenceService(chart(), 'Isvc', { name: 'chat', image: 'vllm/vllm-openai:v0.11.0' }).namespace).toBe('default');
  });

  test('keeps the predictor Service port at 80 whatever the container port (KServe\'s Service always listens on 80)', () => {
    expect(new InferenceService(chart(), 'Isvc', { ...GUIDE_ISVC, containerPort: 8000 }).predictorPort).toBe(80);
  });

  describe('fails with an error naming the prop', () => {
    test.each([
      ['name that is not DNS-1123', { name: 'Mock_LLM' }, /InferenceService .*: name must be a DNS-1123 label.*got "Mock_LLM"/],
      ['name too long for "<name>-predictor"', { name: 'a'.repeat(54) }, /name must be .*at most 53 characters/],
      ['namespace that is not DNS-1123', { namespace: 'Kserve Test' }, /namespace must be a DNS-1123 label.*got "Kserve Test"/],
      ['container port 0', { containerPort: 0 }, /containerPort must be a whole number from 1 to 65535, got 0/],
      ['container port 65536', { containerPort: 65536 }, /containerPort must be a whole number from 1 to 65535, got 65536/],
      ['invalid cpu quantity', { resources: { requests: { cpu: '100 millicores' } } }, /resources.requests.cpu must be a Kubernetes quantity.*got "100 millicores"/],
      ['invalid memory quantity', { resources: { limits: { memory: '256MB' } } }, /resources.limits.memory must be a Kubernetes quantity.*got "256MB"/],
      ['cpu limit below request', { resources: { requests: { cpu: '1' }, limits: { cpu: '500m' } } }, /resources.limits.cpu \(500m\) must be at least resources.requests.cpu \(1\)/],
      ['memory limit below request', { resources: { requests: { memory: '1Gi' }, limits: { memory: '512Mi' } } }, /resources.limits.memory \(512Mi\) must be at least resources.requests.memory \(1Gi\)/],
      ['ingress domain that is not a host name', { ingress: { ingressDomain: 'Example.COM/' } }, /ingress.ingressDomain must be an RFC 1123 host name/],
      ['domain template with unknown fields', { ingress: { domainTemplate: '{{ .Name }}.{{ .Labels.team }}' } }, /ingress.domainTemplate must be a template using only/],
      ['domain template rendering a bad host', { ingress: { domainTemplate: '{{ .Name }}_{{ .Namespace }}' } }, /renders "mock-llm_kserve-test"/],
      ['image with spaces', { image: 'httpbun latest' }, /image must be a container image reference/],
    ])('%s', (_, props, message) => {
      expect(synthesizing(() => new InferenceService(chart(), 'Isvc', { ...GUIDE_ISVC, ...props } as any))).toThrow(message);
    });

    test('reports every problem at once', () => {
      expect(synthesizing(() => new InferenceService(chart(), 'Isvc', { ...GUIDE_ISVC, name: 'BAD', containerPort: -1 })))
        .toThrow(/2 problems:\n {2}- name must be .*\n {2}- containerPort must be/);
    });
  });
});
