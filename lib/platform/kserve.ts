import { Construct } from 'constructs';
import { Namespace } from '../shared/namespace';
import { KServeIngressSettings } from '../shared/kserve-conventions';
import { parseAsKubectl } from '../shared/yaml-text';
import { KSERVE_CLUSTER_RESOURCES, KSERVE_MANIFEST, UpstreamArtifact } from '../upstream/artifacts';
import { UpstreamResolver } from '../upstream/resolver';
import { checkProps, HOSTNAME_RULE, isDns1123Label, isDns1123Subdomain, isHostname, PropErrors } from '../shared/validation';
import { RawDocument, UpstreamManifest } from './upstream-manifest';

/** How KServe deploys an InferenceService that has no `serving.kserve.io/deploymentMode` annotation. */
export enum KServeDeploymentMode {
  /** A Deployment, Service and (with Gateway API) HTTPRoutes; no Knative or Istio needed. */
  STANDARD = 'Standard',
  /** Knative Services (needs Knative Serving). */
  KNATIVE = 'Knative',
  /** ModelMesh. */
  MODEL_MESH = 'ModelMesh',
  /** Legacy name of Standard (kserve@v0.20.0:pkg/constants/constants.go). */
  RAW_DEPLOYMENT = 'RawDeployment',
  /** Legacy name of Knative; what kserve.yaml ships. */
  SERVERLESS = 'Serverless',
}

/**
 * KServe's `ingress` settings (the JSON in ConfigMap `kserve/inferenceservice-config`). Unset keys keep the value
 * kserve.yaml ships, except those whose defaults reproduce the guide's Helm values.
 */
export interface KServeIngressConfig extends KServeIngressSettings {
  /**
   * Serve external traffic through Gateway API HTTPRoutes instead of Ingress objects.
   * @default true (the guide's `enableGatewayApi=true`)
   */
  readonly enableGatewayApi?: boolean;
  /**
   * The Gateway KServe attaches its HTTPRoutes to, as `<namespace>/<name>`.
   * @default 'kserve/kserve-ingress-gateway'
   */
  readonly kserveIngressGateway?: string;
  /**
   * Ingress class for Ingress objects (unused with Gateway API).
   * @default 'agentgateway'
   */
  readonly ingressClassName?: string;
  /**
   * Do not create Istio VirtualServices.
   * @default true
   */
  readonly disableIstioVirtualHost?: boolean;
  /**
   * Do not create any routes: then only routes you define (such as the budgeted AI route) reach a model.
   * @default false
   */
  readonly disableIngressCreation?: boolean;
  /**
   * Knative local gateway (unused in Standard mode).
   * @default ''
   */
  readonly localGateway?: string;
  /**
   * Knative local gateway Service (unused in Standard mode).
   * @default ''
   */
  readonly localGatewayService?: string;
  /**
   * Do not set a timeout on generated HTTPRoute rules.
   * @default - as kserve.yaml ships it (false)
   */
  readonly disableHTTPRouteTimeout?: boolean;
  /**
   * More domains KServe adds hostnames for.
   * @default - as kserve.yaml ships it (none)
   */
  readonly additionalIngressDomains?: string[];
}

/** The guide's Helm values, as they land in the ingress JSON (../shared/upstream/FACTS.md §2). */
const GUIDE_INGRESS = {
  enableGatewayApi: true,
  kserveIngressGateway: 'kserve/kserve-ingress-gateway',
  ingressClassName: 'agentgateway',
  disableIstioVirtualHost: true,
  disableIngressCreation: false,
  localGateway: '',
  localGatewayService: '',
} as const;

/** What can be set on {@link KServe} (all but where its files are read from). */
export interface KServeOptions {
  /**
   * Deployment mode for InferenceServices without an annotation (`deploy.defaultDeploymentMode`).
   * @default KServeDeploymentMode.STANDARD
   */
  readonly defaultDeploymentMode?: KServeDeploymentMode;
  /**
   * Ingress settings.
   * @default - Gateway API through `kserve/kserve-ingress-gateway`, as in the guide
   */
  readonly ingress?: KServeIngressConfig;
  /**
   * Also install the ClusterServingRuntimes and LLMInferenceServiceConfigs: all of `kserve-cluster-resources.yaml`
   * (so it includes what `llmInferenceServiceConfigs` installs). The guide's httpbun InferenceService needs neither.
   * @default false
   */
  readonly clusterServingRuntimes?: boolean;
  /**
   * Install the well-known LLMInferenceServiceConfigs `kserve-config-llm-*` (namespace `kserve`), the templates the
   * llmisvc controller builds an LLMInferenceService's workload, router and scheduler from: only those documents of
   * `kserve-cluster-resources.yaml`, byte for byte. They are what the guide's `kserve-runtime-configs` chart installs
   * with `kserve.llmisvcConfigs.enabled=true` (kserve@v0.20.0:charts/kserve-runtime-configs): its
   * `templates/llmisvcconfigs/resources.yaml` emits `files/llmisvcconfigs/resources.yaml` verbatim, which is byte for
   * byte the LLMInferenceServiceConfig part of kserve-cluster-resources.yaml, and its ClusterServingRuntimes stay off
   * (`servingruntime.enabled` defaults to false).
   * As custom resources of kserve.yaml's CRDs they are applied in the `-resources` phase.
   * @default false
   */
  readonly llmInferenceServiceConfigs?: boolean;
  /**
   * Names (`<plural>.<group>`) of CRDs another component installs: kserve.yaml's copies of them are left out, so each
   * CRD is defined once and the other component's definition is the one the cluster keeps. `LlmServingStack` sets
   * it to the Gateway API Inference Extension's CRDs when that component is on (kserve.yaml carries its own
   * `inferencepools.inference.networking.k8s.io`, bundle-version v1.5.0-rc.2). Names kserve.yaml does not carry are
   * ignored.
   * @default - none: all of kserve.yaml's CRDs are installed
   */
  readonly crdsProvidedElsewhere?: string[];
  /**
   * Create Namespace `kserve` (kserve.yaml holds none).
   * @default true
   */
  readonly createNamespace?: boolean;
}

/** Props for {@link KServe}. */
export interface KServeProps extends KServeOptions {
  /**
   * Where upstream files are read from.
   * @default UpstreamResolver.default()
   */
  readonly resolver?: UpstreamResolver;
}

/** The pinned files {@link KServe} reads for these props. */
export function kserveArtifacts(props: KServeProps = {}): UpstreamArtifact[] {
  return props.clusterServingRuntimes || props.llmInferenceServiceConfigs ? [KSERVE_MANIFEST, KSERVE_CLUSTER_RESOURCES] : [KSERVE_MANIFEST];
}

/** The kind of the documents {@link KServeOptions.llmInferenceServiceConfigs} installs. */
const LLMISVC_CONFIG_KIND = 'LLMInferenceServiceConfig';

/**
 * KServe v0.20.0 from its release manifest, byte for byte except the `deploy` and `ingress` keys of ConfigMap
 * `inferenceservice-config`, which typed props set (by default to what the guide's Helm values produce), and less
 * the CRDs named in `crdsProvidedElsewhere`.
 */
export class KServe extends Construct {
  /** The namespace kserve.yaml installs into (fixed by the manifest). */
  public static readonly NAMESPACE = 'kserve';
  /** The ConfigMap that holds KServe's configuration. */
  public static readonly CONFIG_MAP = 'inferenceservice-config';
  /** The namespace, when created here. */
  public readonly namespace?: Namespace;
  /** The release manifest. */
  public readonly manifest: UpstreamManifest;
  /** The cluster resources manifest (all of it, or only its LLMInferenceServiceConfigs), when installed. */
  public readonly clusterResources?: UpstreamManifest;
  /** The CRDs of kserve.yaml left out because another component installs them (see `crdsProvidedElsewhere`). */
  public readonly omittedCrds: readonly string[];
  /** The effective ingress JSON (upstream's with the props applied). */
  public readonly ingressConfig: Readonly<Record<string, unknown>>;
  /** The effective deploy JSON. */
  public readonly deployConfig: Readonly<Record<string, unknown>>;
  /** What the app constructs need to compute generated hostnames. */
  public readonly ingressSettings: Required<KServeIngressSettings>;

  constructor(scope: Construct, id: string, props: KServeProps = {}) {
    super(scope, id);
    checkProps('KServe', this, props);
    const mode = props.defaultDeploymentMode ?? KServeDeploymentMode.STANDARD;
    const ingress: Record<string, unknown> = { ...GUIDE_INGRESS, ...props.ingress };
    validate(this, mode, ingress, props);
    const providedElsewhere = new Set(props.crdsProvidedElsewhere ?? []);

    if (props.createNamespace ?? true) this.namespace = new Namespace(this, 'Namespace', { name: KServe.NAMESPACE });

    let ingressConfig: Record<string, unknown> | undefined;
    let deployConfig: Record<string, unknown> | undefined;
    const omitted: string[] = [];
    this.manifest = new UpstreamManifest(this, 'Manifest', {
      artifact: KSERVE_MANIFEST,
      resolver: props.resolver,
      include: doc => {
        const omit = doc.kind === 'CustomResourceDefinition' && providedElsewhere.has(doc.name ?? '');
        if (omit) omitted.push(doc.name!);
        return !omit;
      },
      transform: (doc: RawDocument) => {
        if (doc.kind !== 'ConfigMap' || doc.name !== KServe.CONFIG_MAP) return undefined;
        // Parsed as YAML 1.1, as kubectl reads it; only this one document is parsed.
        const configMap = parseAsKubectl(doc.text);
        deployConfig = { ...JSON.parse(configMap.data.deploy), defaultDeploymentMode: mode };
        ingressConfig = { ...JSON.parse(configMap.data.ingress), ...dropUndefined(ingress) };
        configMap.data.deploy = JSON.stringify(deployConfig, null, 2);
        configMap.data.ingress = JSON.stringify(ingressConfig, null, 2);
        return configMap;
      },
    });
    if (!ingressConfig || !deployConfig) {
      throw new Error(`KServe ${this.node.path}: ${KSERVE_MANIFEST.url} has no ConfigMap ${KServe.NAMESPACE}/${KServe.CONFIG_MAP}; ` +
        'the pinned manifest changed shape: check the ConfigMap before bumping the version');
    }
    this.omittedCrds = omitted;
    this.ingressConfig = ingressConfig;
    this.deployConfig = deployConfig;
    this.ingressSettings = {
      ingressDomain: String(ingressConfig.ingressDomain),
      domainTemplate: String(ingressConfig.domainTemplate),
      urlScheme: String(ingressConfig.urlScheme),
    };
    if (props.clusterServingRuntimes || props.llmInferenceServiceConfigs) {
      this.clusterResources = new UpstreamManifest(this, 'ClusterResources', {
        artifact: KSERVE_CLUSTER_RESOURCES,
        resolver: props.resolver,
        // The whole file already holds the configs: installing both takes it once.
        ...(props.clusterServingRuntimes ? {} : { include: doc => doc.kind === LLMISVC_CONFIG_KIND }),
      });
    }
  }
}

function validate(kserve: KServe, mode: KServeDeploymentMode, ingress: Record<string, unknown>, props: KServeOptions): void {
  const errors = new PropErrors('KServe', kserve)
    .check(Object.values(KServeDeploymentMode).includes(mode), 'defaultDeploymentMode', mode, `one of ${Object.values(KServeDeploymentMode).join(', ')}`);
  for (const key of ['clusterServingRuntimes', 'llmInferenceServiceConfigs', 'createNamespace'] as const) {
    errors.check(props[key] === undefined || typeof props[key] === 'boolean', key, props[key], 'true or false');
  }
  const crdsProvidedElsewhere = props.crdsProvidedElsewhere;
  errors.check(crdsProvidedElsewhere === undefined || Array.isArray(crdsProvidedElsewhere), 'crdsProvidedElsewhere', crdsProvidedElsewhere,
    'an array of CRD names');
  for (const name of Array.isArray(crdsProvidedElsewhere) ? crdsProvidedElsewhere : []) {
    errors.check(isDns1123Subdomain(name) && name.includes('.'), 'crdsProvidedElsewhere[]', name,
      'a CRD name, `<plural>.<group>` (e.g. "inferencepools.inference.networking.k8s.io")');
  }
  const gateway = String(ingress.kserveIngressGateway ?? '');
  const [ns, name, ...rest] = gateway.split('/');
  errors.check(rest.length === 0 && isDns1123Label(ns) && isDns1123Subdomain(name), 'ingress.kserveIngressGateway', ingress.kserveIngressGateway,
    '"<namespace>/<name>" of the ingress Gateway');
  if (ingress.ingressDomain !== undefined) errors.check(isHostname(ingress.ingressDomain), 'ingress.ingressDomain', ingress.ingressDomain, HOSTNAME_RULE);
  for (const d of (ingress.additionalIngressDomains as string[] | undefined) ?? []) {
    errors.check(isHostname(d), 'ingress.additionalIngressDomains[]', d, HOSTNAME_RULE);
  }
  if (ingress.urlScheme !== undefined) errors.check(ingress.urlScheme === 'http' || ingress.urlScheme === 'https', 'ingress.urlScheme', ingress.urlScheme, '"http" or "https"');
  for (const key of ['enableGatewayApi', 'disableIstioVirtualHost', 'disableIngressCreation', 'disableHTTPRouteTimeout']) {
    if (ingress[key] !== undefined) errors.check(typeof ingress[key] === 'boolean', `ingress.${key}`, ingress[key], 'true or false');
  }
  errors.throwIfAny();
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
