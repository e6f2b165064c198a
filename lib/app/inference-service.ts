import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type * as kserve from '../../imports/inferenceservice';
import { inferenceServiceImport } from '../shared/imports';
import {
  INFERENCE_SERVICE_POD_LABEL, KSERVE_DEFAULT_INGRESS, KServeIngressSettings, predictorServiceName, renderDomainTemplate,
} from '../shared/kserve-conventions';
import { checkProps, DNS1123_LABEL_RULE, HOSTNAME_RULE, isDns1123Label, isHostname, isPort, parseQuantity, PropErrors, QUANTITY_RULE } from '../shared/validation';
import { ensureUniqueObjects } from '../shared/unique-objects';

/** CPU and memory of a container, as Kubernetes quantities. */
export interface ComputeResources {
  /** CPU, e.g. `'100m'`. @default - none */
  readonly cpu?: string;
  /** Memory, e.g. `'128Mi'`. @default - none */
  readonly memory?: string;
}

/** Requests and limits of the model container. */
export interface ContainerResources {
  /** What the scheduler reserves. @default - none */
  readonly requests?: ComputeResources;
  /** The most the container may use; each must be at least its request. @default - none */
  readonly limits?: ComputeResources;
}

/** Who can reach a model through KServe's generated routes. */
export enum ModelVisibility {
  /** KServe generates external HTTPRoutes on the ingress gateway (the guide's setup). */
  EXTERNAL = 'External',
  /**
   * KServe generates no external routes (label `networking.kserve.io/visibility: cluster-local`): only routes you
   * define, such as the budgeted AI route, reach the model through the gateway.
   */
  CLUSTER_LOCAL = 'ClusterLocal',
}

/** A container's security settings (the fields a restricted Pod Security profile asks for). */
export interface ContainerSecurity {
  /** Refuse to start as root. @default - unset */
  readonly runAsNonRoot?: boolean;
  /** The numeric user to run as (needed with runAsNonRoot for images that name no user). @default - unset */
  readonly runAsUser?: number;
  /** Forbid gaining privileges (setuid, file capabilities). @default - unset */
  readonly allowPrivilegeEscalation?: boolean;
  /** Mount the root filesystem read-only. @default - unset */
  readonly readOnlyRootFilesystem?: boolean;
  /** Linux capabilities to drop, e.g. ['ALL']. @default - unset */
  readonly dropCapabilities?: string[];
  /** Use the container runtime's default seccomp profile. @default - unset */
  readonly seccompRuntimeDefault?: boolean;
}

/** What Kubernetes' `restricted` Pod Security Standard asks of a container (65532 is the conventional nonroot uid). */
export const RESTRICTED_CONTAINER: ContainerSecurity = {
  runAsNonRoot: true,
  runAsUser: 65532,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  dropCapabilities: ['ALL'],
  seccompRuntimeDefault: true,
};

export { KSERVE_DEFAULT_INGRESS, KServeIngressSettings } from '../shared/kserve-conventions';

/** Props for {@link InferenceService}. */
export interface InferenceServiceProps {
  /**
   * Name of the InferenceService (the model's name); KServe derives the predictor Service and route names from it.
   * At most 53 characters, so that `<name>-predictor` is a DNS-1123 label.
   */
  readonly name: string;
  /**
   * Namespace of the InferenceService.
   * @default - the chart's namespace, else 'default'
   */
  readonly namespace?: string;
  /** Image of the model server, e.g. `vllm/vllm-openai:v0.11.0`. */
  readonly image: string;
  /**
   * Name of the model container; KServe expects `kserve-container` for the main one.
   * @default 'kserve-container'
   */
  readonly containerName?: string;
  /**
   * Port the model server listens on; KServe's predictor Service (port 80) targets it.
   * @default 8080 (KServe's default for a custom container, kserve@v0.20.0:pkg/constants InferenceServiceDefaultHttpPort)
   */
  readonly containerPort?: number;
  /**
   * Container resources.
   * @default - none: KServe applies its configured defaults (`inferenceService` in its ConfigMap: 1 cpu, 2Gi memory)
   */
  readonly resources?: ContainerResources;
  /**
   * Labels on the InferenceService.
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * KServe's ingress settings, used to compute the hostnames KServe will generate.
   * @default KSERVE_DEFAULT_INGRESS
   */
  readonly ingress?: KServeIngressSettings;
  /**
   * Whether KServe generates external routes for the model.
   * @default ModelVisibility.EXTERNAL
   */
  readonly visibility?: ModelVisibility;
  /**
   * Pins the image by digest (`sha256:<64 hex>`): the container runs `<image>@<digest>`, which cannot change under
   * the same manifest.
   * @default - none: the image runs by tag
   */
  readonly imageDigest?: string;
  /**
   * Environment variables of the model container, e.g. `{ HTTPBUN_BIND: '0.0.0.0:8080' }`.
   * @default - none
   */
  readonly env?: Record<string, string>;
  /**
   * Security settings of the model container.
   * @default - none (the guide sets none); RESTRICTED_CONTAINER is the hardened choice
   */
  readonly securityContext?: ContainerSecurity;
}

/** kserve@v0.20.0:pkg/constants/constants.go CommonDefaultHttpPort: the predictor Service always listens on 80. */
const PREDICTOR_SERVICE_PORT = 80;

/**
 * A KServe InferenceService (Standard mode) that runs one model server container, and the names KServe will
 * generate from it.
 */
export class InferenceService extends Construct {
  /** InferenceService name. */
  public readonly name!: string;
  /** Namespace. */
  public readonly namespace!: string;
  /** Image of the model server. */
  public readonly image!: string;
  /** Name of the predictor Service KServe creates (`<name>-predictor`). */
  public readonly predictorServiceName!: string;
  /** Cluster-local host of the predictor Service. */
  public readonly predictorHost!: string;
  /** Port of the predictor Service. */
  public readonly predictorPort!: number;
  /** External hostname KServe gives the top-level route, from the domain template. */
  public readonly hostname!: string;
  /** External hostname of the per-component (predictor) route. */
  public readonly predictorHostname!: string;
  /** Name of the top-level HTTPRoute KServe generates (the InferenceService name). */
  public readonly generatedRouteName!: string;
  /** Name of the per-component HTTPRoute KServe generates (`<name>-predictor`). */
  public readonly generatedPredictorRouteName!: string;
  /** The status URL KServe reports. */
  public readonly url!: string;
  /** The port the model container listens on (the predictor Service targets it). */
  public readonly containerPort!: number;
  /** Whether KServe generates external routes for it. */
  public readonly visibility!: ModelVisibility;
  /** A label KServe puts on the predictor pods (kserve@v0.20.0:pkg/constants InferenceServicePodLabelKey). */
  public readonly predictorPodLabels!: Readonly<Record<string, string>>;
  /** The generated InferenceService object. */
  public readonly apiObject!: kserve.InferenceService;

  constructor(scope: Construct, id: string, props: InferenceServiceProps) {
    super(scope, id);
    if (!checkProps('InferenceService', this, props, ['name', 'image'])) return;
    ensureUniqueObjects(this);
    this.name = props.name;
    this.namespace = props.namespace ?? Chart.of(this).namespace ?? 'default';
    this.image = props.image;
    const containerName = props.containerName ?? 'kserve-container';
    const containerPort = props.containerPort ?? 8080;
    const resources = props.resources ?? {};
    const ingress = { ...KSERVE_DEFAULT_INGRESS, ...props.ingress };
    this.containerPort = containerPort;
    this.visibility = props.visibility ?? ModelVisibility.EXTERNAL;

    const errors = new PropErrors('InferenceService', this)
      // The predictor Service `<name>-predictor` must itself be a DNS-1123 label.
      .check(isDns1123Label(this.name) && this.name.length <= 63 - '-predictor'.length, 'name', this.name,
        `${DNS1123_LABEL_RULE}, at most 53 characters so that "<name>-predictor" fits`)
      .check(isDns1123Label(this.namespace), 'namespace', this.namespace, DNS1123_LABEL_RULE)
      .check(typeof this.image === 'string' && this.image.length > 0 && !/\s/.test(this.image), 'image', this.image, 'a container image reference without spaces')
      .check(isDns1123Label(containerName), 'containerName', containerName, DNS1123_LABEL_RULE)
      .check(isPort(containerPort), 'containerPort', containerPort, 'a whole number from 1 to 65535')
      .check(isHostname(ingress.ingressDomain), 'ingress.ingressDomain', ingress.ingressDomain, HOSTNAME_RULE)
      .check(props.imageDigest === undefined || /^sha256:[0-9a-f]{64}$/.test(props.imageDigest), 'imageDigest', props.imageDigest, 'a digest "sha256:" followed by 64 lower-case hex digits')
      .check(props.imageDigest === undefined || !this.image.includes('@'), 'imageDigest', props.imageDigest, 'unset when image already names a digest')
      .check(Object.values(ModelVisibility).includes(this.visibility), 'visibility', this.visibility, `one of ${Object.values(ModelVisibility).join(', ')}`)
      .check(Object.keys(props.env ?? {}).every(k => /^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(k)), 'env', props.env, 'names of letters, digits, "_", "-" and "." not starting with a digit');
    checkContainerResources(errors, resources);
    const predictorName = predictorServiceName(String(this.name));
    const hostname = errors.any ? '' : hostFor(errors, ingress, this.name, this.namespace);
    const predictorHostname = errors.any ? '' : hostFor(errors, ingress, predictorName, this.namespace);
    if (errors.report()) return;

    this.predictorServiceName = predictorName;
    this.predictorHost = `${this.predictorServiceName}.${this.namespace}.svc.cluster.local`;
    this.predictorPort = PREDICTOR_SERVICE_PORT;
    this.generatedRouteName = this.name;
    this.generatedPredictorRouteName = this.predictorServiceName;
    this.hostname = hostname;
    this.predictorHostname = predictorHostname;
    this.url = `${ingress.urlScheme}://${this.hostname}`;
    this.predictorPodLabels = { [INFERENCE_SERVICE_POD_LABEL]: this.name };

    const labels = {
      ...props.labels,
      ...(this.visibility === ModelVisibility.CLUSTER_LOCAL ? { 'networking.kserve.io/visibility': 'cluster-local' } : {}),
    };
    const sc = props.securityContext;
    this.apiObject = new (inferenceServiceImport().InferenceService)(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace, ...(Object.keys(labels).length > 0 ? { labels } : {}) },
      spec: {
        predictor: {
          containers: [{
            name: containerName,
            image: props.imageDigest ? `${this.image}@${props.imageDigest}` : this.image,
            ...(props.env ? { env: Object.entries(props.env).map(([name, value]) => ({ name, value })) } : {}),
            ports: [{ containerPort, protocol: 'TCP' }],
            ...(resources.requests || resources.limits ? { resources: toResources(resources) } : {}),
            ...(sc ? { securityContext: toSecurityContext(sc) } : {}),
          }],
        },
      },
    });
  }
}

/** The host KServe gives `name` from the domain template; a template naming other fields is recorded as a problem rather than guessed. */
function hostFor(errors: PropErrors, ingress: Required<KServeIngressSettings>, name: string, namespace: string): string {
  const { host, unknown } = renderDomainTemplate(ingress.domainTemplate, { Name: name, Namespace: namespace, IngressDomain: ingress.ingressDomain });
  if (unknown.length > 0 || host.includes('{{')) {
    errors.check(false, 'ingress.domainTemplate', ingress.domainTemplate, 'a template using only {{ .Name }}, {{ .Namespace }} and {{ .IngressDomain }}');
  } else {
    errors.check(isHostname(host), 'ingress.domainTemplate', ingress.domainTemplate, `a template that renders an RFC 1123 host name (it renders ${JSON.stringify(host)})`);
  }
  return host;
}

/** The Kubernetes `securityContext` of a container with these settings. */
export function toSecurityContext(sc: ContainerSecurity) {
  return {
    runAsNonRoot: sc.runAsNonRoot,
    runAsUser: sc.runAsUser,
    allowPrivilegeEscalation: sc.allowPrivilegeEscalation,
    readOnlyRootFilesystem: sc.readOnlyRootFilesystem,
    capabilities: sc.dropCapabilities ? { drop: [...sc.dropCapabilities] } : undefined,
    seccompProfile: sc.seccompRuntimeDefault ? { type: 'RuntimeDefault' } : undefined,
  };
}

/** Records every problem of a container's resources (quantities that do not parse, limits below requests) under `prop`. */
export function checkContainerResources(errors: PropErrors, resources: ContainerResources, prop = 'resources'): void {
  for (const kind of ['requests', 'limits'] as const) {
    for (const [res, q] of Object.entries(resources[kind] ?? {})) {
      if (q === undefined) continue;
      errors.check(parseQuantity(q) !== undefined, `${prop}.${kind}.${res}`, q, QUANTITY_RULE);
    }
  }
  for (const res of ['cpu', 'memory'] as const) {
    const request = parseQuantity(resources.requests?.[res]);
    const limit = parseQuantity(resources.limits?.[res]);
    if (request !== undefined && limit !== undefined && limit < request) {
      errors.add(`${prop}.limits.${res} (${resources.limits?.[res]}) must be at least ${prop}.requests.${res} (${resources.requests?.[res]}); raise the limit or lower the request`);
    }
  }
}

function toResources(resources: ContainerResources): kserve.InferenceServiceSpecPredictorContainersResources {
  return {
    requests: computeQuantities(resources.requests, inferenceServiceImport().InferenceServiceSpecPredictorContainersResourcesRequests.fromString),
    limits: computeQuantities(resources.limits, inferenceServiceImport().InferenceServiceSpecPredictorContainersResourcesLimits.fromString),
  };
}

/** The cpu and memory that are set, each made into a generated import's quantity type (its `fromString`). */
export function computeQuantities<T>(r: ComputeResources | undefined, make: (quantity: string) => T): Record<string, T> | undefined {
  if (!r) return undefined;
  const out: Record<string, T> = {};
  if (r.cpu !== undefined) out.cpu = make(r.cpu);
  if (r.memory !== undefined) out.memory = make(r.memory);
  return out;
}
