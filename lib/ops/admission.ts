/**
 * Which objects must wait for a webhook before they can be applied, or the API server refuses them ("failed calling
 * webhook ... no endpoints available for service"):
 * - admission webhooks (Validating/MutatingWebhookConfiguration) gate the objects of their own phase that they admit;
 * - a CRD's conversion webhook gates every custom resource of that CRD, in whatever phase: the API server calls it to
 *   convert between the CRD's served versions (on a write in a version other than the stored one, on a read in
 *   another version, on a server-side apply whose managed fields name another version), so none may be sent before
 *   its Service serves.
 * Deliberately conservative: selectors are ignored, so an object a webhook might admit waits too (waiting costs
 * seconds; a refused apply costs a half-applied phase).
 */
import { ManifestObject } from './manifests';
import { apiGroup } from '../shared/object-identity';

/** A webhook and the Service it calls. */
export interface PhaseWebhook {
  readonly name: string;
  /** `admission`: of a webhook configuration; `conversion`: of a CRD (`spec.conversion.strategy: Webhook`). */
  readonly kind: 'admission' | 'conversion';
  readonly service: { readonly namespace: string; readonly name: string };
  readonly rules: readonly { apiGroups?: string[]; resources?: string[]; operations?: string[] }[];
}

/** The admission webhooks these objects define that call a Service, with failurePolicy Fail (Ignore never refuses). */
export function webhooksOf(objects: readonly ManifestObject[]): PhaseWebhook[] {
  return objects.filter(o => apiGroup(o.apiVersion) === 'admissionregistration.k8s.io' && /^(Validating|Mutating)WebhookConfiguration$/.test(o.kind ?? ''))
    .flatMap(o => (o.parse()?.webhooks ?? []) as any[])
    .filter(w => w?.clientConfig?.service?.name && w.clientConfig.service.namespace && (w.failurePolicy ?? 'Fail') === 'Fail')
    .map(w => ({ name: w.name, kind: 'admission' as const, service: { namespace: w.clientConfig.service.namespace, name: w.clientConfig.service.name }, rules: w.rules ?? [] }));
}

/**
 * The conversion webhooks of these objects' CRDs that call a Service, each gating every operation on its CRD's
 * resource (there is no failurePolicy: a conversion that fails fails the request). Read without parsing the schema.
 */
export function conversionWebhooksOf(objects: readonly ManifestObject[]): PhaseWebhook[] {
  const out: PhaseWebhook[] = [];
  for (const o of objects) {
    if (!isCrd(o)) continue;
    const facts = crdFacts(o.text);
    const group = groupOf(o.name, facts.plural);
    if (facts.strategy !== 'Webhook' || !facts.serviceName || !facts.serviceNamespace || group === undefined) continue;
    out.push({
      name: `conversion of ${o.name}`,
      kind: 'conversion',
      service: { namespace: facts.serviceNamespace, name: facts.serviceName },
      rules: [{ apiGroups: [group], resources: [facts.plural!], operations: ['*'] }],
    });
  }
  return out;
}

/**
 * The resource (plural) of each custom kind, read from the CRDs' `spec.names` without parsing megabytes of schema:
 * `group/Kind` → plural.
 */
export function customPlurals(objects: readonly ManifestObject[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of objects) {
    if (!isCrd(o)) continue;
    const names = crdFacts(o.text);
    const group = groupOf(o.name, names.plural);
    if (names.kind && names.plural && group !== undefined) out.set(`${group}/${names.kind}`, names.plural);
  }
  return out;
}

const isCrd = (o: ManifestObject) => o.kind === 'CustomResourceDefinition' && apiGroup(o.apiVersion) === 'apiextensions.k8s.io';

/** A CRD's name is `<plural>.<group>` (the API server enforces it), so the group is the rest of the name. */
function groupOf(name: string | undefined, plural: string | undefined): string | undefined {
  return plural && name?.startsWith(`${plural}.`) ? name.slice(plural.length + 1) : undefined;
}

/** What a CRD says of its names and its conversion, by path: the paths {@link crdFacts} reads. */
const CRD_PATHS: Record<string, keyof CrdFacts> = {
  'spec.names.kind': 'kind',
  'spec.names.plural': 'plural',
  'spec.conversion.strategy': 'strategy',
  'spec.conversion.webhook.clientConfig.service.name': 'serviceName',
  'spec.conversion.webhook.clientConfig.service.namespace': 'serviceNamespace',
};
/** Deeper than any of {@link CRD_PATHS}: a line indented more is schema, skipped unread. */
const DEEPEST = ' '.repeat(11);

interface CrdFacts { kind?: string; plural?: string; strategy?: string; serviceName?: string; serviceNamespace?: string }

/** {@link CRD_PATHS} of a block-style CRD document, following keys by indentation. */
function crdFacts(text: string): CrdFacts {
  const found: CrdFacts = {};
  const path: { indent: number; key: string }[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith(DEEPEST)) continue;
    const m = /^( *)([\w.-]+):\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    const indent = m[1].length;
    while (path.length > 0 && path[path.length - 1].indent >= indent) path.pop();
    path.push({ indent, key: m[2] });
    const field = CRD_PATHS[path.map(p => p.key).join('.')];
    const value = /^["']?([\w.-]+)["']?$/.exec(m[3]);
    if (field && value) found[field] = value[1];
  }
  return found;
}

/** The resource name of a built-in kind, by the API's own pluralisation (NetworkPolicy → networkpolicies). */
function builtinPlural(kind: string): string {
  const k = kind.toLowerCase();
  return k.endsWith('y') ? `${k.slice(0, -1)}ies` : /(s|x|ch|sh)$/.test(k) ? `${k}es` : `${k}s`;
}

/** The webhooks (of `hooks`) that creating or updating this object may go through. */
export function webhooksAdmitting(o: ManifestObject, hooks: readonly PhaseWebhook[], plurals: ReadonlyMap<string, string>): PhaseWebhook[] {
  const group = apiGroup(o.apiVersion);
  const plural = plurals.get(`${group}/${o.kind}`) ?? builtinPlural(o.kind ?? '');
  const has = (list: string[] | undefined, v: string) => (list ?? []).some(x => x === '*' || x === v);
  return hooks.filter(h => h.rules.some(r => (has(r.operations, 'CREATE') || has(r.operations, 'UPDATE')) && has(r.apiGroups, group)
    && (r.resources ?? []).some(x => x === '*' || x === '*/*' || x === plural)));
}
