/**
 * The deploy plan: apply each phase of dist/ with server-side apply, then wait for what the next phase needs, as an
 * operator following the guide would: CRDs established before their custom resources, cert-manager before KServe,
 * KServe's controller and webhook before InferenceServices, then the Gateway programmed, the InferenceService ready
 * and the token budget accepted and attached. The waits are derived from the objects each phase holds.
 */
import { ManifestObject, Phase } from './manifests';

/** One step of a plan. */
export interface Step {
  /** What the step does, in words (for progress and timeouts). */
  readonly title: string;
  /** kubectl arguments (without `--context`). */
  readonly args: string[];
  /** For waits: the command that shows why it is not done yet. */
  readonly inspect?: string;
  /** For applies: the file to send on stdin instead of `-f`, when the step applies part of a file. */
  readonly input?: string;
}

/** The field manager our server-side applies use, so a second deploy owns the same fields and changes nothing. */
export const FIELD_MANAGER = 'kserve-agentgateway-stack';

const group = (o: ManifestObject) => (o.apiVersion?.includes('/') ? o.apiVersion.split('/')[0] : '');
const byNamespace = (objects: readonly ManifestObject[]) => {
  const out = new Map<string, string[]>();
  for (const o of objects) if (o.name) out.set(o.namespace ?? 'default', [...(out.get(o.namespace ?? 'default') ?? []), o.name]);
  return out;
};

/** The steps that deploy these phases, with waits of at most `timeout` (a kubectl duration such as `5m`). */
export function deployPlan(phases: readonly Phase[], timeout: string, forceConflicts = false): Step[] {
  const steps: Step[] = [];
  for (const phase of phases) {
    const objs = phase.objects;
    steps.push({
      title: `apply ${phase.name} (${objs.length} objects)`,
      args: ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, ...(forceConflicts ? ['--force-conflicts'] : []), '-f', phase.file],
    });
    const crds = objs.filter(o => o.kind === 'CustomResourceDefinition' && o.name).map(o => o.name!);
    if (crds.length > 0) {
      steps.push({
        title: `wait: ${crds.length} CRDs established`,
        args: ['wait', '--for=condition=Established', `--timeout=${timeout}`, ...crds.map(n => `crd/${n}`)],
        inspect: `kubectl get crd ${crds.slice(0, 3).join(' ')}${crds.length > 3 ? ' ...' : ''} -o wide`,
      });
    }
    waitFor(steps, objs.filter(o => o.kind === 'Deployment' && group(o) === 'apps'), 'deployment', 'condition=Available', 'Deployments available', timeout);
    waitFor(steps, objs.filter(o => o.kind === 'Certificate' && group(o) === 'cert-manager.io'), 'certificate.cert-manager.io', 'condition=Ready', 'certificates issued', timeout);
    for (const svc of webhookServices(objs)) {
      steps.push({
        title: `wait: webhook Service ${svc.namespace}/${svc.name} serving`,
        args: ['wait', '-n', svc.namespace, 'endpointslice', '-l', `kubernetes.io/service-name=${svc.name}`,
          '--for=jsonpath={.endpoints[0].conditions.ready}=true', `--timeout=${timeout}`],
        inspect: `kubectl get endpointslice -n ${svc.namespace} -l kubernetes.io/service-name=${svc.name} -o yaml`,
      });
    }
    waitFor(steps, objs.filter(o => o.kind === 'Gateway' && group(o) === 'gateway.networking.k8s.io'), 'gateway.gateway.networking.k8s.io', 'condition=Programmed', 'Gateways programmed', timeout);
    waitFor(steps, objs.filter(o => o.kind === 'InferenceService' && group(o) === 'serving.kserve.io'), 'inferenceservice.serving.kserve.io', 'condition=Ready', 'InferenceServices ready', timeout);
    const policies = objs.filter(o => o.kind === 'AgentgatewayPolicy' && group(o) === 'agentgateway.dev');
    for (const condition of ['Accepted', 'Attached']) {
      waitFor(steps, policies, 'agentgatewaypolicy.agentgateway.dev',
        `jsonpath={.status.ancestors[0].conditions[?(@.type=="${condition}")].status}=True`, `policies ${condition.toLowerCase()}`, timeout);
    }
  }
  return steps;
}

function waitFor(steps: Step[], objects: readonly ManifestObject[], resource: string, condition: string, what: string, timeout: string): void {
  for (const [ns, names] of byNamespace(objects)) {
    steps.push({
      title: `wait: ${what} in ${ns} (${names.join(', ')})`,
      args: ['wait', '-n', ns, `--for=${condition}`, `--timeout=${timeout}`, ...names.map(n => `${resource}/${n}`)],
      inspect: `kubectl describe -n ${ns} ${resource} ${names.join(' ')}`,
    });
  }
}

/** Services that admission webhooks in these objects call: their endpoints must be ready before dependent objects. */
function webhookServices(objects: readonly ManifestObject[]): { namespace: string; name: string }[] {
  const out = new Map<string, { namespace: string; name: string }>();
  for (const o of objects) {
    if (o.kind !== 'ValidatingWebhookConfiguration' && o.kind !== 'MutatingWebhookConfiguration') continue;
    for (const hook of o.parse()?.webhooks ?? []) {
      const svc = hook.clientConfig?.service;
      if (svc?.name && svc?.namespace) out.set(`${svc.namespace}/${svc.name}`, { namespace: svc.namespace, name: svc.name });
    }
  }
  return [...out.values()];
}
