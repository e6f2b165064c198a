/**
 * Which objects of a phase an admission webhook of the same phase must admit: those have to wait until the
 * webhook's Service has a ready endpoint, or the API server refuses them ("failed calling webhook ... no endpoints
 * available for service"). Deliberately conservative: selectors are ignored, so an object a webhook might admit
 * waits too (waiting costs seconds; a refused apply costs a half-applied phase).
 */
import { ManifestObject } from './manifests';
import { apiGroup } from '../shared/object-identity';

/** A webhook of a phase and the Service it calls. */
export interface PhaseWebhook {
  readonly name: string;
  readonly service: { readonly namespace: string; readonly name: string };
  readonly rules: readonly { apiGroups?: string[]; resources?: string[]; operations?: string[] }[];
}


/** The webhooks these objects define that call a Service, with failurePolicy Fail (Ignore never refuses). */
export function webhooksOf(objects: readonly ManifestObject[]): PhaseWebhook[] {
  return objects.filter(o => apiGroup(o.apiVersion) === 'admissionregistration.k8s.io' && /^(Validating|Mutating)WebhookConfiguration$/.test(o.kind ?? ''))
    .flatMap(o => (o.parse()?.webhooks ?? []) as any[])
    .filter(w => w?.clientConfig?.service?.name && w.clientConfig.service.namespace && (w.failurePolicy ?? 'Fail') === 'Fail')
    .map(w => ({ name: w.name, service: { namespace: w.clientConfig.service.namespace, name: w.clientConfig.service.name }, rules: w.rules ?? [] }));
}

/**
 * The resource (plural) of each custom kind, read from the CRDs' `spec.names` without parsing megabytes of schema:
 * `group/Kind` → plural.
 */
export function customPlurals(objects: readonly ManifestObject[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of objects) {
    if (o.kind !== 'CustomResourceDefinition' || apiGroup(o.apiVersion) !== 'apiextensions.k8s.io') continue;
    const names = crdNames(o.text);
    // A CRD's name is `<plural>.<group>` (the API server enforces it), so the group is the rest of the name.
    if (names.kind && names.plural && o.name?.startsWith(`${names.plural}.`)) out.set(`${o.name.slice(names.plural.length + 1)}/${names.kind}`, names.plural);
  }
  return out;
}

/** `spec.names.kind` and `spec.names.plural` of a block-style CRD document. */
function crdNames(text: string): { kind?: string; plural?: string } {
  const found: { kind?: string; plural?: string } = {};
  let top = '';
  let inNames = false;
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) { top = line.split(':')[0]; inNames = false; continue; }
    if (top !== 'spec') continue;
    if (/^ {2}\S/.test(line)) { inNames = /^ {2}names:\s*$/.test(line); continue; }
    const m = inNames ? /^ {4}(kind|plural):\s*["']?([\w.-]+)["']?\s*$/.exec(line) : null;
    if (m) found[m[1] as 'kind' | 'plural'] = m[2];
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
