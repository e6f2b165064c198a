import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { clusterScoped } from '../shared/cluster-scoped';
import { ensureUniqueObjects } from '../shared/unique-objects';
import { VERSIONS } from '../upstream/artifacts';
import {
  AGENTGATEWAY_LOG_LEVELS, AGENTGATEWAY_XDS_MODES, CHART_NAME, CLUSTER_ROLE_RULES, fullname, goJson, imageTag, INFERENCE_EXTENSION_RULES, resourceEnv,
  toResourceRequirements, validateControlPlane,
} from './agentgateway-chart';
import { checkProps } from '../shared/validation';

// Chart facts below are from agentgateway@v1.4.1:controller/install/helm/agentgateway/ (values.yaml,
// templates/_helpers.tpl, templates/{serviceaccount,role,service,deployment}.yaml). The chart's test render is
// agentgateway@v1.4.1:controller/test/helm/testdata/agentgateway/default.golden.

/** The namespace the guide installs the control plane into (`helm install -n agentgateway-system`). */
export const DEFAULT_AGENTGATEWAY_NAMESPACE = 'agentgateway-system';

export { AGENTGATEWAY_LOG_LEVELS, AGENTGATEWAY_XDS_MODES } from './agentgateway-chart';
/** A controller log level. */
export type AgentgatewayLogLevel = typeof AGENTGATEWAY_LOG_LEVELS[number];
/** How the controller serves xDS to the proxies. */
export type AgentgatewayXdsMode = typeof AGENTGATEWAY_XDS_MODES[number];

/** A Kubernetes label selector (`matchLabels` and `matchExpressions`, ANDed). */
export interface LabelSelector {
  /** Labels that must all be present with these values. @default - none */
  readonly matchLabels?: Readonly<Record<string, string>>;
  /** Expressions that must all hold. @default - none */
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/** One expression of a {@link LabelSelector}. */
export interface LabelSelectorRequirement {
  /** The label key. */
  readonly key: string;
  /** In, NotIn, Exists or DoesNotExist. */
  readonly operator: string;
  /** Values for In and NotIn; none for Exists and DoesNotExist. @default - none */
  readonly values?: readonly string[];
}

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
  readonly discoveryNamespaceSelectors?: LabelSelector[];
  /**
   * Chart `controller.xds.mode` (env `AGW_XDS_MODE`): plaintext, tls or either.
   * @default 'tls'
   */
  readonly xdsMode?: string;
  /**
   * Chart `inferenceExtension.enabled`: the controller also serves Gateway API Inference Extension InferencePools as
   * route backends (env `AGW_ENABLE_INFER_EXT`), with RBAC to read them and write their status, where the chart's
   * templates put them. The InferencePool CRD must exist when the controller starts (`platform.inferenceExtension`).
   * @default false
   */
  readonly inferenceExtension?: boolean;
}

/**
 * The agentgateway control plane exactly as the official `agentgateway` Helm chart (v1.4.1) renders it with
 * default values, or with the values the props stand for: ServiceAccount, ClusterRole, ClusterRoleBinding, Service
 * and Deployment. Helm's bookkeeping labels (`helm.sh/chart`, `app.kubernetes.io/managed-by`) are left out. L1
 * objects are used so nothing is added beyond what the chart writes.
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

  public readonly serviceAccount: ApiObject;
  public readonly clusterRole: ApiObject;
  public readonly clusterRoleBinding: ApiObject;
  public readonly service: ApiObject;
  public readonly deployment: ApiObject;

  constructor(scope: Construct, id: string, props: AgentgatewayControlPlaneProps = {}) {
    super(scope, id);
    checkProps('AgentgatewayControlPlane', this, props);
    ensureUniqueObjects(this);

    const releaseName = props.releaseName ?? 'agentgateway';
    const namespace = props.namespace ?? DEFAULT_AGENTGATEWAY_NAMESPACE;
    const registry = props.imageRegistry ?? 'cr.agentgateway.dev';
    const repository = props.imageRepository ?? 'controller';
    const tag = props.imageTag ?? VERSIONS.agentgateway;
    const pullPolicy = props.imagePullPolicy ?? 'IfNotPresent';
    const appVersion = props.appVersion ?? tag;
    const logLevel = props.logLevel ?? 'info';
    const replicas = props.replicas ?? 1;
    const resources = props.resources ?? { requests: { cpu: '100m', memory: '128Mi' } };
    const selectors = props.discoveryNamespaceSelectors ?? [];
    const xdsMode = props.xdsMode ?? 'tls';
    const inferenceExtension = props.inferenceExtension ?? false;

    validateControlPlane(this, {
      releaseName, namespace, registry, repository, tag, pullPolicy, appVersion, logLevel, replicas, resources,
      selectors, xdsMode, inferenceExtension,
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
    this.serviceAccount = new ApiObject(this, 'ServiceAccount', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: this.serviceAccountName, namespace, labels: { ...this.labels } },
    });

    // agentgateway@v1.4.1:controller/install/helm/agentgateway/templates/role.yaml (the name is a literal
    // "agentgateway-", not the fullname, so two releases in one namespace would share it).
    const clusterRoleName = `agentgateway-${namespace}`;
    this.clusterRole = clusterScoped(new ApiObject(this, 'ClusterRole', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: clusterRoleName },
      rules: [...CLUSTER_ROLE_RULES, ...(inferenceExtension ? INFERENCE_EXTENSION_RULES : [])]
        .map(r => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })),
    }));

    // agentgateway@v1.4.1:controller/install/helm/agentgateway/templates/serviceaccount.yaml (second document).
    this.clusterRoleBinding = clusterScoped(new ApiObject(this, 'ClusterRoleBinding', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `${CHART_NAME}-role-${namespace}` },
      subjects: [{ kind: 'ServiceAccount', name: this.serviceAccountName, namespace }],
      roleRef: { kind: 'ClusterRole', name: clusterRoleName, apiGroup: 'rbac.authorization.k8s.io' },
    }));

    // agentgateway@v1.4.1:controller/install/helm/agentgateway/templates/service.yaml
    this.service = new ApiObject(this, 'Service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: this.fullname, namespace, labels: { ...this.labels } },
      spec: {
        type: 'ClusterIP',
        ports: [
          { name: 'grpc-xds-agw', protocol: 'TCP', port: ports.agwGrpc, targetPort: 'grpc-xds-agw' },
          { name: 'health', protocol: 'TCP', port: ports.health, targetPort: 'health' },
          { name: 'metrics', protocol: 'TCP', port: ports.metrics, targetPort: 'metrics' },
        ],
        selector: { ...this.selectorLabels },
      },
    });

    // agentgateway@v1.4.1:controller/install/helm/agentgateway/templates/deployment.yaml
    const readyz = { path: '/readyz', port: ports.health };
    this.deployment = new ApiObject(this, 'Deployment', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
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
                // istio.* and extraEnv are off by default: no env.
                ...(inferenceExtension ? [{ name: 'AGW_ENABLE_INFER_EXT', value: 'true' }] : []),
                // agentgatewayModels is off by default: no env.
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

