// The agentgateway chart's naming, templating and RBAC rules, from agentgateway@v1.4.1:controller/install/helm/
// agentgateway/ (templates/_helpers.tpl, role.yaml, deployment.yaml), and the checks of the control plane's props.
import { Construct } from 'constructs';
import { DNS1123_LABEL_RULE, isDns1123Label, isLabelValue, parseQuantity, PropErrors, QUANTITY_RULE } from '../shared/validation';
import type { AgentgatewayControllerResources, LabelSelector } from './agentgateway-control-plane';

/** `.Chart.Name`, and `agentgateway.name` (no nameOverride): the base of fullname and the `name` label. */
export const CHART_NAME = 'agentgateway';

/** Helm truncates generated names to 63 characters (`trunc 63 | trimSuffix "-"` in _helpers.tpl). */
const MAX_NAME = 63;

/** Levels `logging.ParseLevel` accepts (agentgateway@v1.4.1:controller/pkg/logging/level.go). */
export const AGENTGATEWAY_LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const;

/** Modes `AGW_XDS_MODE` accepts (agentgateway@v1.4.1:controller/api/settings/settings.go, `XdsMode.Decode`). */
export const AGENTGATEWAY_XDS_MODES = ['plaintext', 'tls', 'either'] as const;

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/**
 * `agentgateway.fullname` without overrides: the release name when it contains the chart name, else
 * `<release>-agentgateway`; then `trunc 63 | trimSuffix "-"` (Go's TrimSuffix removes one "-").
 */
export function fullname(releaseName: string): string {
  const name = releaseName.includes(CHART_NAME) ? releaseName : `${releaseName}-${CHART_NAME}`;
  const truncated = name.slice(0, MAX_NAME);
  return truncated.endsWith('-') ? truncated.slice(0, -1) : truncated;
}

/** `agentgateway.imageTag`: a bare semver (`1.2.3...`) gets a `v` prefix; anything else is kept. */
export function imageTag(tag: string): string {
  if (tag.startsWith('v')) return tag;
  return /^[0-9]+\.[0-9]+\..*$/.test(tag) ? `v${tag}` : tag;
}

/** The Go runtime env the template fills from the container's own limits. */
export function resourceEnv(name: string, resource: string): Record<string, unknown> {
  return { name, valueFrom: { resourceFieldRef: { divisor: '1', resource } } };
}

/** `toYaml .Values.resources`: maps come out with sorted keys. */
export function toResourceRequirements(resources: AgentgatewayControllerResources): Record<string, Record<string, string>> {
  const quantities = (m: Readonly<Record<string, string>>) => Object.fromEntries(
    Object.keys(m).sort().map(k => [k, m[k]]));
  return {
    ...(resources.limits !== undefined ? { limits: quantities(resources.limits) } : {}),
    ...(resources.requests !== undefined ? { requests: quantities(resources.requests) } : {}),
  };
}

/**
 * Sprig's `toJson` (Go `encoding/json`): map keys sorted, no spaces, and `<`, `>`, `&`, U+2028, U+2029 escaped.
 */
export function goJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${goJson(k)}:${goJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface ResolvedProps {
  readonly releaseName: string;
  readonly namespace: string;
  readonly registry: string;
  readonly repository: string;
  readonly tag: string;
  readonly pullPolicy: string;
  readonly appVersion: string;
  readonly logLevel: string;
  readonly replicas: number;
  readonly resources: AgentgatewayControllerResources;
  readonly selectors: readonly LabelSelector[];
  readonly xdsMode: string;
  readonly inferenceExtension: boolean;
}

// OCI distribution-spec tag grammar; registry/repository: non-empty, no whitespace, no ":" in the repository's
// last segment and no leading/trailing "/".
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const REGISTRY = /^[^\s/]+(\/[^\s/]+)*$/;
const REPOSITORY = /^[a-z0-9]+([._-]+[a-z0-9]+)*(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*$/;

export function validateControlPlane(scope: Construct, p: ResolvedProps): void {
  const errors = new PropErrors('AgentgatewayControlPlane', scope);
  errors.check(isDns1123Label(p.releaseName), 'releaseName', p.releaseName, DNS1123_LABEL_RULE);
  errors.check(isDns1123Label(p.namespace), 'namespace', p.namespace, DNS1123_LABEL_RULE);
  errors.check(typeof p.registry === 'string' && REGISTRY.test(p.registry), 'imageRegistry', p.registry,
    'a non-empty registry host (optionally with a path), without spaces');
  errors.check(typeof p.repository === 'string' && REPOSITORY.test(p.repository), 'imageRepository', p.repository,
    'a non-empty image repository (lower-case path components)');
  errors.check(typeof p.tag === 'string' && TAG.test(p.tag), 'imageTag', p.tag,
    'a non-empty image tag (letters, digits, "_", "." or "-", at most 128, not starting with "." or "-")');
  errors.check((PULL_POLICIES as readonly string[]).includes(p.pullPolicy), 'imagePullPolicy', p.pullPolicy,
    `one of ${PULL_POLICIES.join(', ')}`);
  errors.check(isLabelValue(p.appVersion) && p.appVersion.length > 0, 'appVersion', p.appVersion,
    'a non-empty label value (at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit)');
  errors.check((AGENTGATEWAY_LOG_LEVELS as readonly string[]).includes(p.logLevel), 'logLevel', p.logLevel,
    `one of ${AGENTGATEWAY_LOG_LEVELS.join(', ')}`);
  errors.check(typeof p.replicas === 'number' && Number.isInteger(p.replicas) && p.replicas >= 0, 'replicas',
    p.replicas, 'a whole number >= 0');
  for (const kind of ['requests', 'limits'] as const) {
    for (const [name, q] of Object.entries(p.resources[kind] ?? {})) {
      errors.check(parseQuantity(q) !== undefined && parseQuantity(q)! >= 0, `resources.${kind}.${name}`, q,
        `${QUANTITY_RULE}, not negative`);
    }
  }
  for (const [name, limit] of Object.entries(p.resources.limits ?? {})) {
    const request = p.resources.requests?.[name];
    const [r, l] = [parseQuantity(request), parseQuantity(limit)];
    errors.check(r === undefined || l === undefined || r <= l, `resources.requests.${name}`, request,
      `at most resources.limits.${name} (${JSON.stringify(limit)})`);
  }
  errors.check(Array.isArray(p.selectors), 'discoveryNamespaceSelectors', p.selectors, 'an array of label selectors');
  (Array.isArray(p.selectors) ? p.selectors : []).forEach((s, i) => {
    (s.matchExpressions ?? []).forEach((e: { operator: string; values?: readonly string[] }, j: number) => {
      const where = `discoveryNamespaceSelectors[${i}].matchExpressions[${j}]`;
      errors.check(SELECTOR_OPERATORS.includes(e.operator), `${where}.operator`, e.operator,
        `one of ${SELECTOR_OPERATORS.join(', ')}`);
      const needsValues = e.operator === 'In' || e.operator === 'NotIn';
      errors.check(!needsValues || (e.values ?? []).length > 0, `${where}.values`, e.values,
        `non-empty for operator ${e.operator}`);
      errors.check(needsValues || (e.values ?? []).length === 0, `${where}.values`, e.values,
        `empty for operator ${e.operator}`);
    });
  });
  errors.check((AGENTGATEWAY_XDS_MODES as readonly string[]).includes(p.xdsMode), 'xdsMode', p.xdsMode,
    `one of ${AGENTGATEWAY_XDS_MODES.join(', ')}`);
  errors.check(typeof p.inferenceExtension === 'boolean', 'inferenceExtension', p.inferenceExtension, 'true or false');
  errors.throwIfAny();
}

/** agentgateway@v1.4.1:controller/install/helm/agentgateway/templates/role.yaml, in order, inferenceExtension off. */
export const CLUSTER_ROLE_RULES: ReadonlyArray<{ apiGroups: string[]; resources: string[]; verbs: string[] }> = [
  { apiGroups: [''], resources: ['configmaps', 'services'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
  { apiGroups: [''], resources: ['endpoints', 'namespaces', 'nodes', 'pods'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: [''], resources: ['secrets', 'serviceaccounts'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'watch'] },
  {
    apiGroups: ['agentgateway.dev'],
    resources: ['agentgatewaybackends', 'agentgatewaymodels', 'agentgatewayparameters', 'agentgatewaypolicies'],
    verbs: ['get', 'list', 'watch'],
  },
  {
    apiGroups: ['agentgateway.dev'],
    resources: [
      'agentgatewaybackends/status', 'agentgatewaymodels/status', 'agentgatewayparameters/status',
      'agentgatewaypolicies/status',
    ],
    verbs: ['get', 'patch', 'update'],
  },
  { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['apps'], resources: ['daemonsets', 'deployments'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
  { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
  {
    apiGroups: ['autoscaling'],
    resources: ['horizontalpodautoscalers'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'get', 'update'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
  {
    apiGroups: ['gateway.networking.k8s.io'],
    resources: ['backendtlspolicies', 'gateways', 'grpcroutes', 'httproutes', 'listenersets', 'referencegrants', 'tcproutes', 'tlsroutes'],
    verbs: ['get', 'list', 'watch'],
  },
  {
    apiGroups: ['gateway.networking.k8s.io'],
    resources: [
      'backendtlspolicies/status', 'gatewayclasses/status', 'gateways/status', 'grpcroutes/status',
      'httproutes/status', 'listenersets/status', 'tcproutes/status', 'tlsroutes/status',
    ],
    verbs: ['patch', 'update'],
  },
  {
    apiGroups: ['gateway.networking.k8s.io'],
    resources: ['gatewayclasses'],
    verbs: ['create', 'get', 'list', 'patch', 'update', 'watch'],
  },
  {
    apiGroups: ['networking.istio.io'],
    resources: ['destinationrules', 'serviceentries', 'workloadentries'],
    verbs: ['get', 'list', 'watch'],
  },
  {
    apiGroups: ['policy'],
    resources: ['poddisruptionbudgets'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  },
  { apiGroups: ['security.istio.io'], resources: ['authorizationpolicies'], verbs: ['get', 'list', 'watch'] },
];

/**
 * role.yaml's `{{- if .Values.inferenceExtension.enabled }}` block, which closes the rules: InferencePools read, their
 * status written. Verbs in the template's order (not sorted, unlike the rules above).
 */
export const INFERENCE_EXTENSION_RULES: ReadonlyArray<{ apiGroups: string[]; resources: string[]; verbs: string[] }> = [
  { apiGroups: ['inference.networking.k8s.io'], resources: ['inferencepools'], verbs: ['get', 'watch', 'list'] },
  { apiGroups: ['inference.networking.k8s.io'], resources: ['inferencepools/status'], verbs: ['patch', 'update'] },
];
