// The default stack must be the guide's objects, field for field, and nothing more.
import * as jsyaml from 'js-yaml';
import { buildApp } from '../main';
import { renderApp } from '../lib/synthesizer';

const GUIDE_OBJECTS = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kserve' } },
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'kserve-ingress-gateway', namespace: 'kserve' },
    spec: {
      gatewayClassName: 'agentgateway',
      listeners: [{ name: 'http', protocol: 'HTTP', port: 80, allowedRoutes: { namespaces: { from: 'All' } } }],
      infrastructure: { labels: { 'serving.kserve.io/gateway': 'kserve-ingress-gateway' } },
    },
  },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kserve-test' } },
  {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: { name: 'mock-llm', namespace: 'kserve-test' },
    spec: {
      predictor: {
        containers: [{
          name: 'kserve-container',
          image: 'sharat87/httpbun:latest',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
        }],
      },
    },
  },
  {
    apiVersion: 'agentgateway.dev/v1alpha1',
    kind: 'AgentgatewayBackend',
    metadata: { name: 'mock-llm-backend', namespace: 'kserve-test' },
    spec: {
      ai: {
        provider: {
          openai: { model: 'mock-llm' },
          host: 'mock-llm-predictor.kserve-test.svc.cluster.local',
          port: 80,
          path: '/llm/chat/completions',
        },
      },
    },
  },
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'mock-llm-ai', namespace: 'kserve-test' },
    spec: {
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'kserve-ingress-gateway', namespace: 'kserve' }],
      hostnames: ['mock-llm-kserve-test.example.com'],
      rules: [{
        matches: [{ path: { type: 'PathPrefix', value: '/llm/chat/completions' } }],
        backendRefs: [{ name: 'mock-llm-backend', namespace: 'kserve-test', group: 'agentgateway.dev', kind: 'AgentgatewayBackend' }],
      }],
    },
  },
  {
    apiVersion: 'agentgateway.dev/v1alpha1',
    kind: 'AgentgatewayPolicy',
    metadata: { name: 'llm-token-budget', namespace: 'kserve-test' },
    spec: {
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'mock-llm-ai' }],
      traffic: { rateLimit: { local: [{ tokens: 100, unit: 'Minutes' }] } },
    },
  },
];

const GUIDE_KINDS = new Set(['Gateway', 'InferenceService', 'AgentgatewayBackend', 'HTTPRoute', 'AgentgatewayPolicy']);

describe('the default stack', () => {
  // The guide's objects live in the last two charts; the platform's are compared with upstream elsewhere.
  const objects = renderApp(buildApp()).filter(f => /-(ingress|models|kserve)\.k8s\.yaml$/.test(f.name))
    .flatMap(f => (f.name.endsWith('-kserve.k8s.yaml') ? f.content.split(/^---\n/m).slice(0, 1) : [f.content]))
    .flatMap(text => jsyaml.loadAll(text) as any[]).filter(Boolean);
  const guideObjects = objects.filter(o => GUIDE_KINDS.has(o.kind) || (o.kind === 'Namespace' && ['kserve', 'kserve-test'].includes(o.metadata.name)));

  test.each(GUIDE_OBJECTS.map(o => [`${o.kind} ${o.metadata.name}`, o]))('emits the guide\'s %s exactly', (_, expected: any) => {
    const ours = guideObjects.filter(o => o.kind === expected.kind && o.metadata.name === expected.metadata.name);
    expect(ours).toEqual([expected]);
  });

  test('emits no other app objects', () => {
    expect(guideObjects).toHaveLength(GUIDE_OBJECTS.length);
  });

  test('applies namespaces before the objects in them', () => {
    const index = (kind: string, name: string) => guideObjects.findIndex(o => o.kind === kind && o.metadata.name === name);
    expect(index('Namespace', 'kserve')).toBeLessThan(index('Gateway', 'kserve-ingress-gateway'));
    expect(index('Gateway', 'kserve-ingress-gateway')).toBeLessThan(index('Namespace', 'kserve-test'));
    expect(index('Namespace', 'kserve-test')).toBeLessThan(index('InferenceService', 'mock-llm'));
  });

  test('does not emit the optional model-echo-headers policy', () => {
    expect(objects.find(o => o.metadata.name === 'model-echo-headers')).toBeUndefined();
  });
});
