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

// The chart's templates, for values the golden render does not cover.
const TEMPLATES = path.join(path.dirname(GOLDEN), '..', '..', '..', '..', 'install', 'helm', 'agentgateway', 'templates');

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

// Helm actions that open and close a block: `{{- if|with|range|define ...}}` ... `{{- end }}` (`else if` opens none).
const opens = (line: string) => (line.match(/\{\{-?\s*(if|with|range|define)\b/g) ?? []).length;
const closes = (line: string) => (line.match(/\{\{-?\s*end\s*-?\}\}/g) ?? []).length;

/** A template's `{{- if .Values.inferenceExtension.enabled }}` block: its lines, where it opens and closes, its body as YAML. */
function inferenceExtensionBlock(file: string) {
  const lines = fs.readFileSync(path.join(TEMPLATES, file), 'utf8').split('\n');
  const start = lines.findIndex(l => /^\s*\{\{-? if \.Values\.inferenceExtension\.enabled \}\}\s*$/.test(l));
  expect(start).toBeGreaterThan(0);
  let depth = 0;
  let end = start;
  for (; end < lines.length; end++) {
    depth += opens(lines[end]) - closes(lines[end]);
    if (depth === 0) break;
  }
  const body = lines.slice(start + 1, end);
  const indent = Math.min(...body.filter(l => l.trim()).map(l => l.length - l.trimStart().length));
  return { lines, start, end, body: YAML.parse(body.map(l => l.slice(indent)).join('\n')) };
}

/** The name of the nearest env entry before (step -1) or after (step 1) line `from` that no condition guards. */
function unconditionalEnvNear(lines: string[], from: number, step: 1 | -1): string {
  let depth = 0;
  for (let i = from; i >= 0 && i < lines.length; i += step) {
    depth += step * (opens(lines[i]) - closes(lines[i]));
    const name = /^\s*- name: ([A-Z_]+)\s*$/.exec(lines[i]);
    if (depth === 0 && name) return name[1];
  }
  throw new Error(`no unguarded env entry ${step > 0 ? 'after' : 'before'} line ${from}`);
}

describe('inferenceExtension renders what the chart renders with inferenceExtension.enabled=true', () => {
  const golden = loadGolden();
  const goldenProps: AgentgatewayControlPlaneProps = { releaseName: 'test-release', namespace: 'default', imageTag: 'v0.0.0-dev', appVersion: '0.0.0-dev' };
  const { objects: on } = synth({ ...goldenProps, inferenceExtension: true });

  test('ClusterRole: role.yaml rendered with the block kept, and without it when off', () => {
    // role.yaml has no templating but the block and the release namespace, so it renders by hand for both values.
    const { lines, start, end } = inferenceExtensionBlock('role.yaml');
    const render = (enabled: boolean) => YAML.parse(
      lines.filter((_, i) => (enabled ? i !== start && i !== end : i < start || i > end)).join('\n').replace('{{ .Release.Namespace }}', 'default'));
    expect(lines.filter((l, i) => l.includes('{{') && i !== start && i !== end)).toEqual(['  name: agentgateway-{{ .Release.Namespace }}']);
    expect(byKind(on, 'ClusterRole')).toEqual(render(true));
    expect(byKind(synth(goldenProps).objects, 'ClusterRole')).toEqual(render(false));
    expect(render(true).rules.slice(-2).map((r: any) => r.resources)).toEqual([['inferencepools'], ['inferencepools/status']]);
  });

  test('Deployment: the golden one, with the env block where deployment.yaml puts it', () => {
    const { lines, start, end, body } = inferenceExtensionBlock('deployment.yaml');
    expect(body).toEqual([{ name: 'AGW_ENABLE_INFER_EXT', value: 'true' }]);
    // Between the nearest entries no condition guards; what lies between them is off in the golden render.
    const before = unconditionalEnvNear(lines, start - 1, -1);
    const after = unconditionalEnvNear(lines, end + 1, 1);
    expect([before, after]).toEqual(['AGW_DISCOVERY_NAMESPACE_SELECTORS', 'AGW_XDS_MODE']);
    const expected = structuredClone(byKind(golden, 'Deployment'));
    const env: { name: string }[] = expected.spec.template.spec.containers[0].env;
    const at = env.findIndex(e => e.name === before) + 1;
    expect(env[at].name).toBe(after);
    env.splice(at, 0, ...body);
    expect(byKind(on, 'Deployment')).toEqual(expected);
  });

  test('the other objects are the golden ones', () => {
    for (const kind of ['ServiceAccount', 'ClusterRoleBinding', 'Service']) expect(byKind(on, kind)).toEqual(byKind(golden, kind));
  });

  test('is off by default', () => {
    const { objects } = synth();
    expect(envOf(objects).map(e => e.name)).not.toContain('AGW_ENABLE_INFER_EXT');
    expect(byKind(objects, 'ClusterRole').rules.flatMap((r: any) => r.apiGroups)).not.toContain('inference.networking.k8s.io');
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
    [{ inferenceExtension: 'yes' as any }, /inferenceExtension must be true or false, got "yes"/],
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
