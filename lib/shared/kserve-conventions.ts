import { createHash } from 'crypto';

/**
 * How KServe v0.20.0 names what it generates from an InferenceService, in one place: the constructs compute the
 * names a model will have, and the validator computes the objects KServe will create, from the same rules.
 */

/** KServe's ingress defaults (kserve@v0.20.0:config/configmap/inferenceservice.yaml, `ingress` JSON). */
export const KSERVE_INGRESS_DEFAULTS = {
  ingressDomain: 'example.com',
  domainTemplate: '{{ .Name }}-{{ .Namespace }}.{{ .IngressDomain }}',
  urlScheme: 'http',
  kserveIngressGateway: 'kserve/kserve-ingress-gateway',
  disableIngressCreation: false,
} as const;

/**
 * The Gateway KServe's llmisvc controller attaches routes to, from `ingress.kserveIngressGateway`: `<namespace>/<name>`,
 * or a bare name in KServe's own namespace (kserve@v0.20.0:pkg/controller/v1alpha2/llmisvc/config_loader.go NewConfig).
 */
export function llmisvcIngressGateway(setting: string): { namespace: string; name: string } {
  const [namespace, name] = setting.includes('/') ? setting.split('/') : [KSERVE_INGRESS_DEFAULTS.kserveIngressGateway.split('/')[0], setting];
  return { namespace, name };
}

/** KServe's ingress settings that shape the names and hosts it generates. */
export interface KServeIngressSettings {
  /**
   * `ingress.ingressDomain`: the domain of generated hostnames.
   * @default 'example.com'
   */
  readonly ingressDomain?: string;
  /**
   * `ingress.domainTemplate`: how KServe names an InferenceService's external host. Supports `{{ .Name }}`,
   * `{{ .Namespace }}` and `{{ .IngressDomain }}`.
   * @default '{{ .Name }}-{{ .Namespace }}.{{ .IngressDomain }}'
   */
  readonly domainTemplate?: string;
  /**
   * `ingress.urlScheme` of the status URL.
   * @default 'http'
   */
  readonly urlScheme?: string;
}

/** KServe v0.20.0 defaults of the settings above (`config/configmap/inferenceservice.yaml`, ingress JSON). */
export const KSERVE_DEFAULT_INGRESS: Required<KServeIngressSettings> = {
  ingressDomain: KSERVE_INGRESS_DEFAULTS.ingressDomain,
  domainTemplate: KSERVE_INGRESS_DEFAULTS.domainTemplate,
  urlScheme: KSERVE_INGRESS_DEFAULTS.urlScheme,
};

/** The label that names the InferenceService on its predictor pods (kserve@v0.20.0:pkg/constants InferenceServicePodLabelKey). */
export const INFERENCE_SERVICE_POD_LABEL = 'serving.kserve.io/inferenceservice';

/** The predictor Service (and per-component route) name: `<isvc>-predictor`, or `<isvc>-<predictor name>-predictor`. */
export function predictorServiceName(isvcName: string, predictorName?: string): string {
  return predictorName ? `${isvcName}-${predictorName}-predictor` : `${isvcName}-predictor`;
}

/** The labels KServe puts on predictor pods (the `app` label is GetRawServiceLabel, the Service's selector). */
export function predictorPodLabels(isvcName: string): Record<string, string> {
  return { [INFERENCE_SERVICE_POD_LABEL]: isvcName, 'component': 'predictor', 'app': `isvc.${predictorServiceName(isvcName)}` };
}

/**
 * Renders KServe's domain template (kserve@v0.20.0:pkg/controller/v1beta1/inferenceservice/reconcilers/ingress/
 * domain.go, a Go text/template over {Name, Namespace, IngressDomain, Annotations, Labels}). We support the three
 * fields the default and common templates use; `unknown` lists any other field the template names.
 */
export function renderDomainTemplate(template: string, values: { Name: string; Namespace: string; IngressDomain: string }): { host: string; unknown: string[] } {
  const unknown: string[] = [];
  const host = template.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, field: string) => {
    if (!(field in values)) unknown.push(field);
    return (values as Record<string, string>)[field] ?? '';
  });
  return { host, unknown };
}

/**
 * knative.dev/pkg kmeta.ChildName, which KServe's llmisvc controller names every child object with: `parent + suffix`
 * when that fits in 63 characters; otherwise the parent is cut and an md5 of it keeps the name unique (and when the
 * suffix alone leaves no room, the whole is hashed). knative.dev/pkg@v0.0.0-20260120122510-4a022ed9999a:kmeta/names.go.
 */
export function kmetaChildName(parent: string, suffix: string): string {
  const longest = 63;
  const head = longest - 32;
  if (parent.length <= longest - suffix.length) return parent + suffix;
  if (head - suffix.length <= 0) {
    let ret = (head < parent.length ? parent.slice(0, head) : parent) + md5Hex(parent + suffix);
    const room = longest - ret.length;
    if (room > 0) ret += suffix.slice(0, room);
    return ret.replace(/[^a-zA-Z0-9]+$/, '');
  }
  return parent.slice(0, head - suffix.length) + md5Hex(parent) + suffix;
}

function md5Hex(s: string): string {
  return createHash('md5').update(s).digest('hex');
}

/** The API group and version of LLMInferenceService that KServe v0.20.0 stores and serves by default. */
export const LLMISVC_API_VERSION = 'serving.kserve.io/v1alpha2';
/** The InferencePool API KServe v0.20.0 creates pools in (Gateway API Inference Extension v1). */
export const INFERENCE_POOL_GROUP = 'inference.networking.k8s.io';
/** The transitional (v1alpha2) InferencePool group that older docs use; agentgateway's AI backend cannot target it. */
export const INFERENCE_POOL_ALPHA_GROUP = 'inference.networking.x-k8s.io';

/**
 * The names KServe v0.20.0's llmisvc controller gives what it creates for an LLMInferenceService
 * (kserve@v0.20.0:pkg/controller/v1alpha2/llmisvc: router.go, scheduler.go, workload.go, and
 * pkg/apis/serving/v1alpha2/llm_inference_service_types_func.go), each `kmeta.ChildName(<name>, <suffix>)`.
 */
export interface LlmisvcGeneratedNames {
  /** HTTPRoute made from `spec.router.route` (generated or overridden): `<name>-kserve-route`. */
  readonly route: string;
  /** InferencePool of the managed scheduler: `<name>-inference-pool`. */
  readonly inferencePool: string;
  /** Deployment of the llm-d router's endpoint picker (EPP): `<name>-kserve-router-scheduler`. */
  readonly scheduler: string;
  /** Service of the endpoint picker: `<name>-epp-service`. */
  readonly schedulerService: string;
  /** Service in front of the model server pods: `<name>-kserve-workload-svc`. */
  readonly workloadService: string;
  /** Deployment of the model server: `<name>-kserve`. */
  readonly workload: string;
}

/** The suffixes of {@link LlmisvcGeneratedNames}, as KServe v0.20.0 spells them. */
export const LLMISVC_NAME_SUFFIXES: Readonly<Record<keyof LlmisvcGeneratedNames, string>> = {
  route: '-kserve-route',
  inferencePool: '-inference-pool',
  scheduler: '-kserve-router-scheduler',
  schedulerService: '-epp-service',
  workloadService: '-kserve-workload-svc',
  workload: '-kserve',
};

/** The names KServe will give the objects it creates for the LLMInferenceService `name`. */
export function llmisvcGeneratedNames(name: string): LlmisvcGeneratedNames {
  const names = {} as Record<keyof LlmisvcGeneratedNames, string>;
  for (const [key, suffix] of Object.entries(LLMISVC_NAME_SUFFIXES)) names[key as keyof LlmisvcGeneratedNames] = kmetaChildName(name, suffix);
  return names;
}

/** The route suffixes older docs and releases used, which KServe v0.20.0 does not create (`<name><suffix>`). */
export const LLMISVC_STALE_ROUTE_SUFFIXES: readonly string[] = ['-llminferenceservice-route'];

/**
 * Labels KServe puts on an LLMInferenceService's model server pods (GetWorkloadLabelSelector, workload.go) and on
 * its endpoint picker pods (SchedulerLabels, scheduler.go).
 */
export function llmisvcWorkloadPodLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/part-of': 'llminferenceservice', 'app.kubernetes.io/name': name, 'kserve.io/component': 'workload' };
}

/** See {@link llmisvcWorkloadPodLabels}. */
export function llmisvcSchedulerPodLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/component': 'llminferenceservice-router-scheduler', 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'llminferenceservice' };
}
