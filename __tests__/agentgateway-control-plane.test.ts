import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { AgentgatewayControlPlane, AgentgatewayControlPlaneProps } from '../lib/platform/agentgateway-control-plane';

// The chart's own test render: release test-release, namespace default, image tag v0.0.0-dev, and the placeholder appVersion 0.0.0-dev of the git Chart.yaml.
const GOLDEN = path.join(
  process.env.UPSTREAM_MIRROR ?? path.join(__dirname, '..', '..', 'shared', 'upstream'),
  'raw.githubusercontent.com/agentgateway/agentgateway/v1.4.1/controller/test/helm/testdata/agentgateway/default.golden',
);

/** Helm bookkeeping labels the construct deliberately leaves out. */
const HELM_LABELS = ['helm.sh/chart', 'app.kubernetes.io/managed-by'];

type Obj = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: any };

function stripHelmLabels(obj: Obj): Obj {
  const strip = (labels?: Record<string, string>) => {
    if (labels) for (const l of HELM_LABELS) delete labels[l];
  };
  strip(obj.metadata.labels);
  strip(obj.spec?.template?.metadata?.labels);
  return obj;
}

function loadGolden(): Obj[] {
  const text = fs.readFileSync(GOLDEN, 'utf8');
  return (YAML.parseAllDocuments(text).map(d => d.toJS()).filter(Boolean) as Obj[]).map(stripHelmLabels);
}

function synth(props: AgentgatewayControlPlaneProps = {}): { cp: AgentgatewayControlPlane; objects: Obj[] } {
  const chart = Testing.chart();
  const cp = new AgentgatewayControlPlane(chart, 'agw', props);
  return { cp, objects: Testing.synth(chart) as Obj[] };
}

const key = (o: Obj) => `${o.kind}/${o.metadata.name}`;
const byKind = (objects: Obj[], kind: string) => {
  const found = objects.filter(o => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
};
const envOf = (objects: Obj[]) => byKind(objects, 'Deployment').spec.template.spec.containers[0].env as
  Array<{ name: string; value?: string }>;

describe('matches the chart render (default.golden)', () => {
  const golden = loadGolden();
  const { objects: ours } = synth({ releaseName: 'test-release', namespace: 'default', imageTag: 'v0.0.0-dev', appVersion: '0.0.0-dev' });

  test('same kind/name pairs', () => {
    expect(ours.map(key).sort()).toEqual(golden.map(key).sort());
  });

  test.each(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Service', 'Deployment'])('%s', kind => {
    const g = byKind(golden, kind);
    const o = ours.find(x => key(x) === key(g));
    expect(o).toEqual(g);
  });
});

describe('defaults', () => {
  const { cp, objects } = synth();

  test('names, namespace and image', () => {
    expect(cp.fullname).toBe('agentgateway');
    expect(cp.serviceAccountName).toBe('agentgateway');
    expect(cp.namespace).toBe('agentgateway-system');
    expect(cp.xdsServiceHost).toBe('agentgateway.agentgateway-system.svc.cluster.local');
    expect(cp.selectorLabels).toEqual({
      'agentgateway': 'agentgateway',
      'app.kubernetes.io/name': 'agentgateway',
      'app.kubernetes.io/instance': 'agentgateway',
    });
    const deployment = byKind(objects, 'Deployment');
    expect(deployment.metadata).toMatchObject({ name: 'agentgateway', namespace: 'agentgateway-system' });
    expect(deployment.metadata.labels!['app.kubernetes.io/version']).toBe('v1.4.1');
    expect(deployment.spec.template.spec.containers[0].image).toBe('cr.agentgateway.dev/controller:v1.4.1');
    expect(byKind(objects, 'Service').metadata).toMatchObject({ name: 'agentgateway', namespace: 'agentgateway-system' });
    expect(byKind(objects, 'ServiceAccount').metadata).toMatchObject({ name: 'agentgateway', namespace: 'agentgateway-system' });
  });

  test('cluster-scoped objects carry no namespace', () => {
    const role = byKind(objects, 'ClusterRole');
    expect(role.metadata.name).toBe('agentgateway-agentgateway-system');
    expect(role.metadata).not.toHaveProperty('namespace');
    const binding = byKind(objects, 'ClusterRoleBinding');
    expect(binding.metadata.name).toBe('agentgateway-role-agentgateway-system');
    expect(binding.metadata).not.toHaveProperty('namespace');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'agentgateway', namespace: 'agentgateway-system' }]);
  });

  test('even inside a chart that has a namespace', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'elsewhere' });
    new AgentgatewayControlPlane(chart, 'agw');
    const objects = chart.toJson() as Obj[];
    expect(byKind(objects, 'ClusterRole').metadata).not.toHaveProperty('namespace');
    expect(byKind(objects, 'ClusterRoleBinding').metadata).not.toHaveProperty('namespace');
    expect(byKind(objects, 'Deployment').metadata.namespace).toBe('agentgateway-system');
  });
});

describe('fullname follows _helpers.tpl', () => {
  test.each([
    ['agentgateway', 'agentgateway'],
    ['my-agentgateway-prod', 'my-agentgateway-prod'],
    ['test-release', 'test-release-agentgateway'],
    // 51 + "-agentgateway" = 64 characters: truncated to 63.
    ['a'.repeat(51), `${'a'.repeat(51)}-agentgatewa`],
    // 62 + "-" hits the 63 limit exactly: trimSuffix drops the dangling "-".
    ['b'.repeat(62), 'b'.repeat(62)],
  ])('%s -> %s', (releaseName, expected) => {
    const { cp, objects } = synth({ releaseName });
    expect(cp.fullname).toBe(expected);
    expect(byKind(objects, 'Deployment').metadata.name).toBe(expected);
    expect(envOf(objects).find(e => e.name === 'AGW_XDS_SERVICE_NAME')?.value).toBe(expected);
  });
});

describe('props reach their fields', () => {
  test('replicas', () => {
    expect(byKind(synth({ replicas: 3 }).objects, 'Deployment').spec.replicas).toBe(3);
    expect(byKind(synth({ replicas: 0 }).objects, 'Deployment').spec.replicas).toBe(0);
  });

  test('logLevel', () => {
    expect(envOf(synth({ logLevel: 'debug' }).objects)).toContainEqual({ name: 'AGW_LOG_LEVEL', value: 'debug' });
  });

  test('discoveryNamespaceSelectors are serialized like sprig toJson', () => {
    const { objects } = synth({
      discoveryNamespaceSelectors: [
        { matchLabels: { team: 'ml' } },
        { matchExpressions: [{ values: ['infra'], operator: 'In', key: 'kubernetes.io/metadata.name' }] },
      ],
    });
    expect(envOf(objects)).toContainEqual({
      name: 'AGW_DISCOVERY_NAMESPACE_SELECTORS',
      value: '[{"matchLabels":{"team":"ml"}},{"matchExpressions":[{"key":"kubernetes.io/metadata.name","operator":"In","values":["infra"]}]}]',
    });
    expect(envOf(synth().objects)).toContainEqual({ name: 'AGW_DISCOVERY_NAMESPACE_SELECTORS', value: '[]' });
  });

  test('image parts, pull policy and registry for the proxy', () => {
    const { cp, objects } = synth({ imageRegistry: 'mirror.example.com/agw', imageTag: '1.4.1', imagePullPolicy: 'Always' });
    const container = byKind(objects, 'Deployment').spec.template.spec.containers[0];
    expect(cp.image).toBe('mirror.example.com/agw/controller:v1.4.1');
    expect(container.image).toBe(cp.image);
    expect(container.imagePullPolicy).toBe('Always');
    expect(container.env).toContainEqual({ name: 'AGW_PROXY_IMAGE_REGISTRY', value: 'mirror.example.com/agw' });
  });

  test('resources and xdsMode', () => {
    const { objects } = synth({ resources: { limits: { memory: '512Mi', cpu: '1' }, requests: { cpu: '200m' } }, xdsMode: 'either' });
    const container = byKind(objects, 'Deployment').spec.template.spec.containers[0];
    expect(container.resources).toEqual({ limits: { cpu: '1', memory: '512Mi' }, requests: { cpu: '200m' } });
    expect(container.env).toContainEqual({ name: 'AGW_XDS_MODE', value: 'either' });
  });
});

describe('validation', () => {
  test.each<[AgentgatewayControlPlaneProps, RegExp]>([
    [{ namespace: 'Bad_NS' }, /namespace must be a DNS-1123 label/],
    [{ releaseName: 'Release!' }, /releaseName must be a DNS-1123 label/],
    [{ replicas: -1 }, /replicas must be a whole number >= 0, got -1/],
    [{ replicas: 1.5 }, /replicas must be/],
    [{ logLevel: 'verbose' }, /logLevel must be one of error, warn, info, debug, trace, got "verbose"/],
    [{ imageRegistry: '' }, /imageRegistry must be/],
    [{ imageRepository: '' }, /imageRepository must be/],
    [{ imageTag: '' }, /imageTag must be/],
    [{ imagePullPolicy: 'Sometimes' }, /imagePullPolicy must be one of Always, IfNotPresent, Never/],
    [{ appVersion: '' }, /appVersion must be/],
    [{ xdsMode: 'mtls' }, /xdsMode must be one of plaintext, tls, either/],
    [{ resources: { requests: { cpu: 'lots' } } }, /resources\.requests\.cpu must be a Kubernetes quantity/],
    [{ resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }, /resources\.requests\.cpu must be at most/],
    [{ discoveryNamespaceSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Is' }] }] },
      /discoveryNamespaceSelectors\[0\]\.matchExpressions\[0\]\.operator must be one of/],
  ])('%j', (props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  test('names the construct path', () => {
    expect(() => synth({ replicas: -1 })).toThrow(/^AgentgatewayControlPlane test\/agw: replicas must be/);
  });

  test('reports every problem in one error', () => {
    expect(() => synth({ namespace: 'NS', replicas: -1, logLevel: 'loud' })).toThrow(
      /AgentgatewayControlPlane test\/agw: 3 problems:\n {2}- namespace must be .*\n {2}- logLevel must be .*\n {2}- replicas must be/,
    );
  });
});
