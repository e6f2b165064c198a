// The llmisvc profile must be the current guide's objects, field for field, on the platform the guide installs.
import * as jsyaml from 'js-yaml';
import { App } from 'cdk8s';
import { LlmRouting, LlmServingStack, llmisvcPreset } from '../lib';
import { renderApp } from '../lib/synthesizer';
import { mirrorResolver } from './helpers';

const MODEL = {
  apiVersion: 'serving.kserve.io/v1alpha2',
  kind: 'LLMInferenceService',
  metadata: { name: 'mock-llm', namespace: 'kserve-test' },
  spec: {
    model: { name: 'mock-llm', uri: 'hf://mock/mock-llm' },
    replicas: 1,
    storageInitializer: { enabled: false },
    router: { route: {}, scheduler: {} } as Record<string, unknown>,
    template: {
      containers: [{
        name: 'main',
        image: 'ghcr.io/llm-d/llm-d-inference-sim:v0.9.0-rc3',
        command: ['/app/llm-d-inference-sim'],
        args: ['--model', 'mock-llm', '--port', '8000', '--mode', 'echo'],
        ports: [{ name: 'http', containerPort: 8000 }],
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      }],
    },
  },
};

/** The guide after its "Optional: Apply an AI policy" steps: the backend, the route patch, the budget. */
const METERED = [
  {
    ...MODEL,
    spec: {
      ...MODEL.spec,
      router: {
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
          custom: {
            backendRef: { group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'mock-llm-inference-pool' },
            model: 'mock-llm',
            formats: [{ type: 'Completions', path: '/v1/chat/completions' }],
          },
        },
      },
    },
  },
  {
    apiVersion: 'agentgateway.dev/v1alpha1',
    kind: 'AgentgatewayPolicy',
    metadata: { name: 'mock-llm-token-budget', namespace: 'kserve-test' },
    spec: {
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'mock-llm-kserve-route' }],
      traffic: { rateLimit: { local: [{ tokens: 10, unit: 'Minutes' }] } },
    },
  },
];

const GATEWAY = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'kserve-ingress-gateway', namespace: 'kserve' },
  spec: {
    gatewayClassName: 'agentgateway',
    listeners: [{ name: 'http', protocol: 'HTTP', port: 80, allowedRoutes: { namespaces: { from: 'All' } } }],
    infrastructure: { labels: { 'serving.kserve.io/gateway': 'kserve-ingress-gateway' } },
  },
};

function render(routing?: LlmRouting) {
  const app = new App();
  new LlmServingStack(app, 'Stack', { ...llmisvcPreset({ routing }), resolver: mirrorResolver() });
  return renderApp(app).map(f => ({ name: f.name, objects: (jsyaml.loadAll(f.content) as any[]).filter(Boolean) }));
}

describe('the llmisvc profile', () => {
  const files = render();
  const objectsOf = (suffix: string) => files.filter(f => f.name.endsWith(suffix)).flatMap(f => f.objects);

  test('its app files are the guide\'s objects after the AI-policy steps, and nothing more', () => {
    expect(objectsOf('-ingress.k8s.yaml')).toEqual([GATEWAY]);
    expect(objectsOf('-models.k8s.yaml')).toEqual([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kserve-test' } }, ...METERED]);
  });

  test('without the budget it is the guide\'s standard InferencePool path: the model alone, KServe\'s route to the pool', () => {
    const models = render(LlmRouting.POOL).filter(f => f.name.endsWith('-models.k8s.yaml')).flatMap(f => f.objects);
    expect(models).toEqual([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kserve-test' } }, MODEL]);
  });

  test('the platform is the guide\'s: Inference Extension CRDs before agentgateway, which runs its inference extension, and KServe\'s LLM configs', () => {
    const names = files.map(f => f.name);
    const gaie = names.findIndex(n => /^\d{4}-inference-extension/.test(n));
    const agw = names.findIndex(n => /^\d{4}-agentgateway/.test(n));
    expect(gaie).toBeGreaterThan(names.findIndex(n => /^\d{4}-gateway-api/.test(n)));
    expect(gaie).toBeLessThan(agw);
    const crds = files.flatMap(f => f.objects).filter(o => o.kind === 'CustomResourceDefinition').map(o => o.metadata.name);
    expect(crds.filter(n => n === 'inferencepools.inference.networking.k8s.io')).toHaveLength(1);
    expect(crds).toEqual(expect.arrayContaining(['llminferenceservices.serving.kserve.io', 'inferencepools.inference.networking.x-k8s.io']));
    const controller = files.flatMap(f => f.objects).find(o => o.kind === 'Deployment' && o.metadata.namespace === 'agentgateway-system');
    expect(controller.spec.template.spec.containers[0].env).toEqual(expect.arrayContaining([{ name: 'AGW_ENABLE_INFER_EXT', value: 'true' }]));
    const configs = files.flatMap(f => f.objects).filter(o => o.kind === 'LLMInferenceServiceConfig').map(o => o.metadata.name);
    expect(configs.length).toBeGreaterThan(0);
    expect(configs.every(n => n.startsWith('kserve-config-llm-'))).toBe(true);
  });
});
