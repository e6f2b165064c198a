/**
 * The deploy plan: apply each phase of dist/ with server-side apply, in the order a fresh API server accepts it,
 * then wait for what the next phase needs:
 * - within a phase, its CRDs first, then a wait until they are Established: kubectl maps every object of an apply
 *   before it sends any, so a custom resource sent with its CRD fails ("no matches for kind ... ensure CRDs are
 *   installed first");
 * - then the rest, except objects a webhook must admit or convert first: those follow once the webhook's Service has
 *   a ready endpoint, since until then the API server refuses them ("failed calling webhook ... no endpoints"). An
 *   admission webhook gates the objects of its own phase; a CRD's conversion webhook gates its custom resources in
 *   every phase, and its Service is waited for in the phase that deploys it, else before the first object it gates;
 * - then the phase's controllers Available, certificates issued and webhooks serving, before the next phase; after
 *   the app phases, the Gateway programmed, the InferenceService and LLMInferenceService ready, the HTTPRoute KServe
 *   makes for an LLMInferenceService accepted, and the token budget accepted and attached.
 */
import { apiGroup } from '../shared/object-identity';
import { conversionWebhooksOf, customPlurals, PhaseWebhook, webhooksAdmitting, webhooksOf } from './admission';
import { llmisvcGeneratedNames } from '../shared/kserve-conventions';
import { ManifestObject, Phase } from './manifests';

/** One step of a plan. */
export interface Step {
  /** What the step does, in words (for progress and timeouts). */
  readonly title: string;
  /** kubectl arguments (without `--context`, and without the `--timeout` the runner adds to bounded steps). */
  readonly args: string[];
  /** The runner appends `--timeout=<what is left of the run's time>` (waits, and deletes that wait). */
  readonly bounded?: boolean;
  /** For waits: the command that shows why it is not done yet. */
  readonly inspect?: string;
  /** Objects to send on stdin (`-f -`), when the step applies part of a file. */
  readonly input?: string;
  /** Where `input` comes from, in words, for display: `the CRDs of dist/0003-kserve.k8s.yaml`. */
  readonly source?: string;
}

/** The field manager our server-side applies use, so a second deploy owns the same fields and changes nothing. */
export const FIELD_MANAGER = 'kserve-agentgateway-stack';

const byNamespace = (objects: readonly { name?: string; namespace?: string }[]) => {
  const out = new Map<string, string[]>();
  for (const o of objects) if (o.name) out.set(o.namespace ?? 'default', [...(out.get(o.namespace ?? 'default') ?? []), o.name]);
  return out;
};
const isCrd = (o: ManifestObject) => o.kind === 'CustomResourceDefinition' && apiGroup(o.apiVersion) === 'apiextensions.k8s.io';
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The steps that deploy these phases. */
export function deployPlan(phases: readonly Phase[], forceConflicts = false): Step[] {
  const steps: Step[] = [];
  const everything = phases.flatMap(p => p.objects);
  const plurals = customPlurals(everything);
  // A CRD's conversion webhook gates its custom resources wherever they are, so it is known to every phase.
  const conversions = conversionWebhooksOf(everything);
  /** The webhook Services waited for so far (`namespace/name`): what they admit or convert is no longer gated. */
  const serving = new Set<string>();
  const apply = (phase: Phase, objects: readonly ManifestObject[], what: string, which: string) => {
    const whole = objects.length === phase.objects.length;
    steps.push({
      title: `apply ${phase.name}${whole ? '' : `: ${what}`} (${plural(objects.length, 'object')})`,
      args: ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, ...(forceConflicts ? ['--force-conflicts'] : []), '-f', whole ? phase.file : '-'],
      ...(whole ? {} : { input: objects.map(o => o.text).join('---\n'), source: `${which} of ${phase.file}` }),
    });
  };
  for (const phase of phases) {
    const objs = phase.objects;
    const crds = objs.filter(isCrd);
    const hooks = webhooksOf(objs);
    const gatesOf = (o: ManifestObject) => [...webhooksAdmitting(o, hooks, plurals),
      ...webhooksAdmitting(o, conversions, plurals).filter(h => !serving.has(serviceKey(h.service)))];
    const gated = objs.filter(o => !isCrd(o) && gatesOf(o).length > 0);
    const gates = gated.flatMap(gatesOf);
    const rest = objs.filter(o => !isCrd(o) && !gated.includes(o));

    if (crds.length > 0) {
      apply(phase, rest.length + gated.length > 0 ? crds : objs, 'CRDs first', 'the CRDs');
      steps.push({
        title: `wait: ${plural(crds.length, 'CRD')} of ${phase.name} established`,
        args: ['wait', '--for=condition=Established', ...crds.map(o => `crd/${o.name}`)],
        bounded: true,
        inspect: `kubectl get crd ${crds.slice(0, 3).map(o => o.name).join(' ')}${crds.length > 3 ? ' ...' : ''} -o wide`,
      });
    }
    if (rest.length > 0) {
      const what = crds.length > 0 ? 'the objects besides CRDs' : `all but what its webhooks ${verb(gates)}`;
      apply(phase, crds.length + gated.length > 0 ? rest : objs, what, what);
    }
    waitFor(steps, objs.filter(o => o.kind === 'Deployment' && apiGroup(o.apiVersion) === 'apps'), 'deployment', 'condition=Available', 'Deployments available');
    waitFor(steps, objs.filter(o => o.kind === 'Certificate' && apiGroup(o.apiVersion) === 'cert-manager.io'), 'certificate.cert-manager.io', 'condition=Ready', 'certificates issued');
    // This phase's admission webhooks; the conversion webhooks whose Service this phase deploys, or that gate its objects.
    const services = new Set(objs.filter(o => o.kind === 'Service' && apiGroup(o.apiVersion) === '').map(o => serviceKey({ namespace: o.namespace ?? 'default', name: o.name ?? '' })));
    const converters = conversions.filter(h => services.has(serviceKey(h.service)) || gates.includes(h));
    for (const svc of uniqueServices([...hooks, ...converters.filter(h => !serving.has(serviceKey(h.service)))])) {
      serving.add(serviceKey(svc));
      steps.push({
        title: `wait: webhook Service ${svc.namespace}/${svc.name} serving`,
        args: ['wait', '-n', svc.namespace, 'endpointslice', '-l', `kubernetes.io/service-name=${svc.name}`, '--for=jsonpath={.endpoints[0].conditions.ready}=true'],
        bounded: true,
        inspect: `kubectl get endpointslice -n ${svc.namespace} -l kubernetes.io/service-name=${svc.name} -o yaml`,
      });
    }
    if (gated.length > 0) {
      const names = [...new Set(gates.map(h => h.service.name))];
      apply(phase, gated, `what the webhooks of ${names.join(', ')} ${verb(gates)}`, `the objects its webhooks ${verb(gates)}`);
    }
    waitFor(steps, objs.filter(o => o.kind === 'Gateway' && apiGroup(o.apiVersion) === 'gateway.networking.k8s.io'), 'gateway.gateway.networking.k8s.io', 'condition=Programmed', 'Gateways programmed');
    waitFor(steps, objs.filter(o => o.kind === 'InferenceService' && apiGroup(o.apiVersion) === 'serving.kserve.io'), 'inferenceservice.serving.kserve.io', 'condition=Ready', 'InferenceServices ready');
    const llmisvcs = objs.filter(o => o.kind === 'LLMInferenceService' && apiGroup(o.apiVersion) === 'serving.kserve.io');
    waitFor(steps, llmisvcs, 'llminferenceservice.serving.kserve.io', 'condition=Ready', 'LLMInferenceServices ready');
    // The route KServe makes for each of them: a policy in this phase may target it, and it must exist to attach to.
    waitFor(steps, llmisvcs.flatMap(generatedRoute), 'httproute.gateway.networking.k8s.io', 'jsonpath={.status.parents[0].conditions[?(@.type=="Accepted")].status}=True',
      'HTTPRoutes made by KServe accepted');
    const policies = objs.filter(o => o.kind === 'AgentgatewayPolicy' && apiGroup(o.apiVersion) === 'agentgateway.dev');
    for (const condition of ['Accepted', 'Attached']) {
      waitFor(steps, policies, 'agentgatewaypolicy.agentgateway.dev',
        `jsonpath={.status.ancestors[0].conditions[?(@.type=="${condition}")].status}=True`, `policies ${condition.toLowerCase()}`);
    }
  }
  return steps;
}

/**
 * The HTTPRoute KServe's llmisvc controller makes for an LLMInferenceService, as a name and namespace: one whenever
 * `spec.router.route` is set and names no existing routes (`http.refs`), from `http.spec` or from KServe's default
 * route config (kserve@v0.20.0:pkg/controller/v1alpha2/llmisvc/router.go, reconcileHTTPRoutes).
 */
function generatedRoute(o: ManifestObject): { name: string; namespace?: string }[] {
  const route = o.parse()?.spec?.router?.route;
  if (!route || typeof route !== 'object' || (route.http?.refs ?? []).length > 0 || !o.name) return [];
  return [{ name: llmisvcGeneratedNames(o.name).route, namespace: o.namespace }];
}

/** What webhooks do to the objects they gate, in words: `admit`, `convert`, or `admit or convert`. */
function verb(gates: readonly PhaseWebhook[]): string {
  const kinds = new Set(gates.map(h => h.kind));
  return kinds.size === 2 ? 'admit or convert' : kinds.has('conversion') ? 'convert' : 'admit';
}

const serviceKey = (s: { namespace: string; name: string }) => `${s.namespace}/${s.name}`;

function waitFor(steps: Step[], objects: readonly { name?: string; namespace?: string }[], resource: string, condition: string, what: string): void {
  for (const [ns, names] of byNamespace(objects)) {
    steps.push({
      title: `wait: ${what} in ${ns} (${names.join(', ')})`,
      args: ['wait', '-n', ns, `--for=${condition}`, ...names.map(n => `${resource}/${n}`)],
      bounded: true,
      inspect: `kubectl describe -n ${ns} ${resource} ${names.join(' ')}`,
    });
  }
}

function uniqueServices(hooks: readonly PhaseWebhook[]): { namespace: string; name: string }[] {
  return [...new Map(hooks.map(h => [`${h.service.namespace}/${h.service.name}`, h.service])).values()];
}
