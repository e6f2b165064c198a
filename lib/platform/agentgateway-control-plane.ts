import { ApiObject, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DNS1123_LABEL_RULE, isDns1123Label, parseQuantity, PropErrors, QUANTITY_RULE } from '../shared/validation';

// Chart facts below are from agentgateway@v1.4.1:controller/install/helm/agentgateway/ (values.yaml,
// templates/_helpers.tpl, templates/{serviceaccount,role,service,deployment}.yaml). The chart's test render is
// agentgateway@v1.4.1:controller/test/helm/testdata/agentgateway/default.golden.

/** The namespace the guide installs the control plane into (`helm install -n agentgateway-system`). */
export const DEFAULT_AGENTGATEWAY_NAMESPACE = 'agentgateway-system';

/** `.Chart.Name`, and `agentgateway.name` (no nameOverride): the base of fullname and the `name` label. */
const CHART_NAME = 'agentgateway';

/** Helm truncates generated names to 63 characters (`trunc 63 | trimSuffix "-"` in _helpers.tpl). */
const MAX_NAME = 63;

/** Levels `logging.ParseLevel` accepts (agentgateway@v1.4.1:controller/pkg/logging/level.go). */
export const AGENTGATEWAY_LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const;
/** A controller log level. */
export type AgentgatewayLogLevel = typeof AGENTGATEWAY_LOG_LEVELS[number];

/** Modes `AGW_XDS_MODE` accepts (agentgateway@v1.4.1:controller/api/settings/settings.go, `XdsMode.Decode`). */
export const AGENTGATEWAY_XDS_MODES = ['plaintext', 'tls', 'either'] as const;
/** How the controller serves xDS to the proxies. */
export type AgentgatewayXdsMode = typeof AGENTGATEWAY_XDS_MODES[number];

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** Container requests and limits, as Kubernetes quantities keyed by resource name (`cpu`, `memory`, ...). */
export interface AgentgatewayControllerResources {
  /** What the scheduler reserves. @default - none */
  readonly requests?: Readonly<Record<string, string>>;
  /**
   * The most the container may use. The controller sizes GOMEMLIMIT and GOMAXPROCS from `limits.memory` and
   * `limits.cpu` (through resourceFieldRef), so setting them also tunes the Go runtime.
   * @default - none
   */
  readonly limits?: Readonly<Record<string, string>>;
}

/** Props for {@link AgentgatewayControlPlane}. */
export interface AgentgatewayControlPlaneProps {
  /**
   * Helm release name the objects are modelled on. Drives `fullname` (`<release>-agentgateway`, or the release name
   * itself when it already contains "agentgateway") and the `app.kubernetes.io/instance` label.
   * @default 'agentgateway'
   */
  readonly releaseName?: string;
  /**
   * Release namespace: where the ServiceAccount, Service and Deployment live, and the suffix of the ClusterRole
   * (`agentgateway-<namespace>`) and ClusterRoleBinding (`agentgateway-role-<namespace>`) names.
   * @default 'agentgateway-system'
   */
  readonly namespace?: string;
  /**
   * Chart `image.registry`: registry of the controller image, and the proxy registry the controller hands to the
   * Gateways it deploys (`AGW_PROXY_IMAGE_REGISTRY`).
   * @default 'cr.agentgateway.dev'
   */
  readonly imageRegistry?: string;
  /**
   * Chart `controller.image.repository`.
   * @default 'controller'
   */
  readonly imageRepository?: string;
  /**
   * Chart `controller.image.tag`. As in the chart, a bare semver such as `1.4.1` gets a `v` prefix.
   * @default 'v1.4.1'
   */
  readonly imageTag?: string;
  /**
   * Chart `controller.image.pullPolicy` (falls back to `image.pullPolicy`).
   * @default 'IfNotPresent'
   */
  readonly imagePullPolicy?: string;
  /**
   * The chart's appVersion, written to the `app.kubernetes.io/version` label. The release packages the chart with
   * `helm package --version v1.4.1 --app-version v1.4.1` (see ../shared/upstream/SOURCES.md), so it equals the tag;
   * the git Chart.yaml (and so the golden test render) carries the placeholder `0.0.0-dev`.
   * @default - the image tag (`v1.4.1`)
   */
  readonly appVersion?: string;
  /**
   * Chart `controller.logLevel` (env `AGW_LOG_LEVEL`): one of error, warn, info, debug, trace.
   * @default 'info'
   */
  readonly logLevel?: string;
  /**
   * Chart `controller.replicaCount`.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Chart `resources` of the controller container.
   * @default { requests: { cpu: '100m', memory: '128Mi' } }
   */
  readonly resources?: AgentgatewayControllerResources;
  /**
   * Chart `discoveryNamespaceSelectors` (env `AGW_DISCOVERY_NAMESPACE_SELECTORS`): namespace selectors, OR'ed, that
   * limit which namespaces the controller reads config from. Empty means all namespaces.
   * @default []
   */
  readonly discoveryNamespaceSelectors?: k8s.LabelSelector[];
  /**
   * Chart `controller.xds.mode` (env `AGW_XDS_MODE`): plaintext, tls or either.
   * @default 'tls'
   */
  readonly xdsMode?: string;
}

/**
 * The agentgateway control plane exactly as the official `agentgateway` Helm chart (v1.4.1) renders it with
 * default values: ServiceAccount, ClusterRole, ClusterRoleBinding, Service and Deployment. Helm's bookkeeping
 * labels (`helm.sh/chart`, `app.kubernetes.io/managed-by`) are left out. L1 objects are used so nothing is
 * added beyond what the chart writes.
 */
export class AgentgatewayControlPlane extends Construct {
  /** `agentgateway.fullname`: name of the ServiceAccount, Service and Deployment. */
  public readonly fullname: string;
  /** The ServiceAccount the controller runs as. */
  public readonly serviceAccountName: string;
  /** Release namespace of the namespaced objects. */
  public readonly namespace: string;
  /** `agentgateway.selectorLabels`: the Deployment selector and the Service selector. */
  public readonly selectorLabels: Readonly<Record<string, string>>;
  /** `agentgateway.labels` without Helm's bookkeeping labels. */
  public readonly labels: Readonly<Record<string, string>>;
  /** Full controller image reference. */
  public readonly image: string;
  /** In-cluster DNS name of the xDS Service the proxies connect to. */
  public readonly xdsServiceHost: string;
  /** xDS gRPC port of the Service (`controller.service.ports.agwGrpc`). */
  public readonly xdsPort: number;

  public readonly serviceAccount: k8s.KubeServiceAccount;
  public readonly clusterRole: k8s.KubeClusterRole;
  public readonly clusterRoleBinding: k8s.KubeClusterRoleBinding;
  public readonly service: k8s.KubeService;
  public readonly deployment: k8s.KubeDeployment;

  constructor(scope: Construct, id: string, props: AgentgatewayControlPlaneProps = {}) {
    super(scope, id);

    const releaseName = props.releaseName ?? 'agentgateway';
    const namespace = props.namespace ?? DEFAULT_AGENTGATEWAY_NAMESPACE;
    const registry = props.imageRegistry ?? 'cr.agentgateway.dev';
    const repository = props.imageRepository ?? 'controller';
    const tag = props.imageTag ?? 'v1.4.1';
    const pullPolicy = props.imagePullPolicy ?? 'IfNotPresent';
    const appVersion = props.appVersion ?? tag;
    const logLevel = props.logLevel ?? 'info';
    const replicas = props.replicas ?? 1;
    const resources = props.resources ?? { requests: { cpu: '100m', memory: '128Mi' } };
    const selectors = props.discoveryNamespaceSelectors ?? [];
    const xdsMode = props.xdsMode ?? 'tls';

    validate(this, {
      releaseName, namespace, registry, repository, tag, pullPolicy, appVersion, logLevel, replicas, resources,
      selectors, xdsMode,
    });

    // values.yaml controller.service.ports.
    const ports = { agwGrpc: 9978, health: 9093, metrics: 9092 };

    this.namespace = namespace;
    this.fullname = fullname(releaseName);
    // serviceAccount.create is true and serviceAccount.name empty, so `agentgateway.serviceAccountName` is fullname.
    this.serviceAccountName = this.fullname;
    this.selectorLabels = {
      'agentgateway': 'agentgateway',
      'app.kubernetes.io/name': CHART_NAME,
      'app.kubernetes.io/instance': releaseName,
    };
    this.labels = { ...this.selectorLabels, 'app.kubernetes.io/version': appVersion };
    this.image = `${registry}/${repository}:${imageTag(tag)}`;
    this.xdsServiceHost = `${this.fullname}.${namespace}.svc.cluster.local`;
    this.xdsPort = ports.agwGrpc;

    // agentgateway@v1.4.1:controller/install/helm/agentgateway/templates/serviceaccount.yaml
    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.serviceAccountName, namespace, labels: { ...this.labels } },
    });

    // agentgateway@v1.4.1:controller/install/helm/agentgateway/templates/role.yaml (the name is a literal
    // "agentgateway-", not the fullname, so two releases in one namespace would share it).
    const clusterRoleName = `agentgateway-${namespace}`;
    this.clusterRole = new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: clusterRoleName },
      rules: CLUSTER_ROLE_RULES.map(r => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })),
    });
    clusterScoped(this.clusterRole);

    // agentgateway@v1.4.1:controller/install/helm/agentgateway/templates/serviceaccount.yaml (second document).
    this.clusterRoleBinding = new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: `${CHART_NAME}-role-${namespace}` },
      subjects: [{ kind: 'ServiceAccount', name: this.serviceAccountName, namespace }],
      roleRef: { kind: 'ClusterRole', name: clusterRoleName, apiGroup: 'rbac.authorization.k8s.io' },
    });
    clusterScoped(this.clusterRoleBinding);

    // agentgateway@v1.4.1:controller/install/helm/agentgateway/templates/service.yaml
    this.service = new k8s.KubeService(this, 'Service', {
      metadata: { name: this.fullname, namespace, labels: { ...this.labels } },
      spec: {
        type: 'ClusterIP',
        ports: [
          { name: 'grpc-xds-agw', protocol: 'TCP', port: ports.agwGrpc, targetPort: k8s.IntOrString.fromString('grpc-xds-agw') },
          { name: 'health', protocol: 'TCP', port: ports.health, targetPort: k8s.IntOrString.fromString('health') },
          { name: 'metrics', protocol: 'TCP', port: ports.metrics, targetPort: k8s.IntOrString.fromString('metrics') },
        ],
        selector: { ...this.selectorLabels },
      },
    });

    // agentgateway@v1.4.1:controller/install/helm/agentgateway/templates/deployment.yaml
    const readyz = { path: '/readyz', port: k8s.IntOrString.fromNumber(ports.health) };
    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: this.fullname, namespace, labels: { ...this.labels } },
      spec: {
        replicas,
        selector: { matchLabels: { ...this.selectorLabels } },
        template: {
          metadata: {
            annotations: {
              'prometheus.io/path': '/metrics',
              'prometheus.io/port': String(ports.metrics),
              // values.yaml podAnnotations.
              'prometheus.io/scrape': 'true',
            },
            labels: { ...this.selectorLabels },
          },
          spec: {
            serviceAccountName: this.serviceAccountName,
            containers: [{
              name: 'controller',
              // The template's fallback when values.yaml securityContext is empty.
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
              },
              image: this.image,
              imagePullPolicy: pullPolicy,
              ports: [
                { containerPort: ports.agwGrpc, name: 'grpc-xds-agw', protocol: 'TCP' },
                { containerPort: ports.health, name: 'health', protocol: 'TCP' },
                { containerPort: ports.metrics, name: 'metrics', protocol: 'TCP' },
              ],
              readinessProbe: { httpGet: { ...readyz }, initialDelaySeconds: 1, periodSeconds: 10 },
              // Allows 120 s of failures before the pod is killed.
              startupProbe: { httpGet: { ...readyz }, initialDelaySeconds: 0, periodSeconds: 1, failureThreshold: 120 },
              env: [
                resourceEnv('GOMEMLIMIT', 'limits.memory'),
                resourceEnv('GOMAXPROCS', 'limits.cpu'),
                // proxy.image.registry is empty, so the global image.registry; proxy.image.tag and image.tag are
                // empty, so AGW_PROXY_IMAGE_TAG is not set and the controller uses its built-in proxy tag.
                { name: 'AGW_PROXY_IMAGE_REGISTRY', value: registry },
                { name: 'AGW_PROXY_IMAGE_REPOSITORY', value: 'agentgateway' },
                { name: 'AGW_LOG_LEVEL', value: logLevel },
                { name: 'AGW_XDS_SERVICE_NAME', value: this.fullname },
                { name: 'AGW_AGENTGATEWAY_XDS_SERVICE_PORT', value: String(ports.agwGrpc) },
                { name: 'AGW_DISCOVERY_NAMESPACE_SELECTORS', value: goJson(selectors) },
                // istio.*, extraEnv, inferenceExtension and agentgatewayModels are off by default: no env.
                { name: 'AGW_XDS_MODE', value: xdsMode },
                // gatewayClassName and controllerName are empty by default: no env.
                { name: 'AGW_GATEWAY_CLASS_PARAMETERS_REFS', value: '{}' },
                { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              ],
              resources: toResourceRequirements(resources),
            }],
          },
        },
      },
    });
  }
}

/**
 * `agentgateway.fullname` without overrides: the release name when it contains the chart name, else
 * `<release>-agentgateway`; then `trunc 63 | trimSuffix "-"` (Go's TrimSuffix removes one "-").
 */
function fullname(releaseName: string): string {
  const name = releaseName.includes(CHART_NAME) ? releaseName : `${releaseName}-${CHART_NAME}`;
  const truncated = name.slice(0, MAX_NAME);
  return truncated.endsWith('-') ? truncated.slice(0, -1) : truncated;
}

/** `agentgateway.imageTag`: a bare semver (`1.2.3...`) gets a `v` prefix; anything else is kept. */
function imageTag(tag: string): string {
  if (tag.startsWith('v')) return tag;
  return /^[0-9]+\.[0-9]+\..*$/.test(tag) ? `v${tag}` : tag;
}

/** The Go runtime env the template fills from the container's own limits. */
function resourceEnv(name: string, resource: string): k8s.EnvVar {
  return { name, valueFrom: { resourceFieldRef: { divisor: k8s.Quantity.fromString('1'), resource } } };
}

/** `toYaml .Values.resources`: maps come out with sorted keys. */
function toResourceRequirements(resources: AgentgatewayControllerResources): k8s.ResourceRequirements {
  const quantities = (m: Readonly<Record<string, string>>) => Object.fromEntries(
    Object.keys(m).sort().map(k => [k, k8s.Quantity.fromString(m[k])]));
  return {
    ...(resources.limits !== undefined ? { limits: quantities(resources.limits) } : {}),
    ...(resources.requests !== undefined ? { requests: quantities(resources.requests) } : {}),
  };
}

/**
 * Sprig's `toJson` (Go `encoding/json`): map keys sorted, no spaces, and `<`, `>`, `&`, U+2028, U+2029 escaped.
 */
function goJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${goJson(k)}:${goJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * cdk8s puts the chart's namespace (if any) on every ApiObject; the chart's cluster-scoped objects have none.
 */
function clusterScoped(obj: ApiObject): void {
  if (obj.metadata.namespace !== undefined) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
}

interface ResolvedProps {
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
  readonly selectors: k8s.LabelSelector[];
  readonly xdsMode: string;
}

// OCI distribution-spec tag grammar; registry/repository: non-empty, no whitespace, no ":" in the repository's
// last segment and no leading/trailing "/".
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const REGISTRY = /^[^\s/]+(\/[^\s/]+)*$/;
const REPOSITORY = /^[a-z0-9]+([._-]+[a-z0-9]+)*(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*$/;
// Kubernetes label value.
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function validate(scope: Construct, p: ResolvedProps): void {
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
  errors.check(typeof p.appVersion === 'string' && p.appVersion.length > 0 && p.appVersion.length <= 63 &&
    LABEL_VALUE.test(p.appVersion), 'appVersion', p.appVersion,
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
    (s.matchExpressions ?? []).forEach((e, j) => {
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
  errors.throwIfAny();
}

/** agentgateway@v1.4.1:controller/install/helm/agentgateway/templates/role.yaml, in order, inferenceExtension off. */
const CLUSTER_ROLE_RULES: ReadonlyArray<{ apiGroups: string[]; resources: string[]; verbs: string[] }> = [
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
