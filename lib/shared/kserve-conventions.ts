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
