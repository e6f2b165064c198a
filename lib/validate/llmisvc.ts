/**
 * What KServe v0.20.0's llmisvc controller creates for each LLMInferenceService, and the references to it that will
 * resolve to nothing: names older releases and docs used, names of objects this spec does not make KServe create, and
 * the transitional InferencePool group. Sources, all kserve@v0.20.0: pkg/controller/v1alpha2/llmisvc/router.go
 * (reconcileHTTPRoutes, expectedHTTPRoute), scheduler.go (reconcileScheduler*), workload.go (reconcileWorkloadService),
 * config_merge.go (combineBaseRefsConfig: which presets apply, and how the route's backendRefs are rewritten) and
 * config/llmisvcconfig/config-llm-router-route.yaml (the route KServe generates).
 */
import {
  INFERENCE_POOL_ALPHA_GROUP, INFERENCE_POOL_GROUP, kmetaChildName, llmisvcGeneratedNames, LlmisvcGeneratedNames, llmisvcIngressGateway, LLMISVC_STALE_ROUTE_SUFFIXES,
} from '../shared/kserve-conventions';
import { apiGroup, objectKey } from '../shared/object-identity';
import type { SecurityRule } from './security';
import { list, ObjectIndex } from './object-index';
import type { KnownObject, KServeRouting } from './references';

/** Every LLMInferenceService finding, by id (the table in docs/validator.md is this list). Errors: the reference resolves to nothing. */
export const LLMISVC_RULES = {
  LLM001: {
    id: 'LLM001',
    title: 'a name KServe does not give what it creates for an LLMInferenceService',
    why: 'KServe v0.20.0 names what it creates for LLMInferenceService <name> with kmeta.ChildName: HTTPRoute <name>-kserve-route, InferencePool <name>-inference-pool, Services <name>-kserve-workload-svc and <name>-epp-service; nothing else of that kind is created, so the reference resolves to nothing',
    fix: 'use the name KServe gives it',
  },
  LLM002: {
    id: 'LLM002',
    title: 'an InferencePool referenced in the transitional group inference.networking.x-k8s.io',
    why: 'agentgateway v1.4.1 resolves only InferencePools of group inference.networking.k8s.io (the CRD of its custom AI provider refuses any other group for backendRef, and of its policies for targetRefs), and KServe v0.20.0 routes to the v1 pool it creates',
    fix: 'set group: inference.networking.k8s.io (the pool KServe creates has the same name in both groups)',
  },
  LLM003: {
    id: 'LLM003',
    title: 'an object KServe does not create for this LLMInferenceService\'s spec',
    why: 'KServe v0.20.0 creates the route only when spec.router.route is set without http.refs, and the InferencePool and its endpoint picker only when spec.router.scheduler is set without pool.ref; a stopped service has none of them',
    fix: 'change the LLMInferenceService so KServe creates it, or reference what it does create',
  },
} as const satisfies Record<string, SecurityRule>;

/** One LLMInferenceService finding: the rule, the object and path, what is wrong and the fix for this case. */
export interface LlmisvcIssue {
  readonly at: KnownObject;
  readonly path: string;
  readonly rule: SecurityRule;
  readonly detail: string;
  readonly fix: string;
}

/** Formats an issue's message: id, what, why and the fix for this case. */
export function llmisvcMessage(issue: LlmisvcIssue): string {
  return `[${issue.rule.id}] ${issue.detail}: ${issue.rule.why}. Fix: ${issue.fix}`;
}

const SERVING_GROUP = 'serving.kserve.io';
const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const STOP_ANNOTATION = 'serving.kserve.io/stop';
// The port of the model server behind the workload Service and in the route's backendRefs (workload.go, the preset).
const WORKLOAD_PORT = 8000;

export const isLlmisvc = (o: KnownObject) => o.kind === 'LLMInferenceService' && apiGroup(o.apiVersion) === SERVING_GROUP;

/** What KServe derives from one LLMInferenceService, and why it leaves out what it does not create. */
export interface LlmisvcPlan {
  readonly names: LlmisvcGeneratedNames;
  /** The endpoint picker's Service: `pool.spec.endpointPickerRef.name` when given, else `<name>-epp-service`. */
  readonly eppService: string;
  /** Why KServe creates nothing (the stop annotation), or undefined. */
  readonly stopped?: string;
  /** Why KServe creates no HTTPRoute `names.route`, or undefined when it does. */
  readonly noRoute?: string;
  /** Why KServe creates no InferencePool `names.inferencePool` nor endpoint picker, or undefined when it does. */
  readonly noPool?: string;
  /** The existing pool the route goes to (`spec.router.scheduler.pool.ref.name`), when one is named. */
  readonly poolRef?: string;
}

/** What KServe v0.20.0 derives from an LLMInferenceService (either served version: their router fields are the same). */
export function llmisvcPlan(o: KnownObject): LlmisvcPlan {
  const router = o.object?.spec?.router;
  const scheduler = router?.scheduler;
  const poolRef: string | undefined = scheduler?.pool?.ref?.name || undefined;
  const names = llmisvcGeneratedNames(o.name);
  const stop = String(o.object?.metadata?.annotations?.[STOP_ANNOTATION] ?? '').toLowerCase() === 'true';
  const stopped = stop ? `it is stopped (annotation ${STOP_ANNOTATION}: "true")` : undefined;
  const noRoute = stopped ?? (!isObject(router?.route) ? 'spec.router.route is not set'
    : list(router.route.http?.refs).length > 0 ? 'it uses its own HTTPRoutes (spec.router.route.http.refs)' : undefined);
  const noPool = stopped ?? (!isObject(scheduler) ? 'it has no managed scheduler (spec.router.scheduler is not set)'
    : poolRef ? `its scheduler uses the existing InferencePool "${poolRef}" (spec.router.scheduler.pool.ref)` : undefined);
  return { names, eppService: scheduler?.pool?.spec?.endpointPickerRef?.name || names.schedulerService, stopped, noRoute, noPool, poolRef };
}

/** The objects KServe creates for the input's LLMInferenceServices (`kserve` names the gateway of its generated route). */
export function llmisvcRuntimeObjects(objects: readonly KnownObject[], kserve: KServeRouting): KnownObject[] {
  const out: KnownObject[] = [];
  for (const o of objects.filter(x => isLlmisvc(x) && x.object)) {
    const plan = llmisvcPlan(o);
    if (plan.stopped) continue;
    const ns = o.namespace ?? 'default';
    const by = { file: o.file, line: o.line, namespace: ns, runtime: `generated by KServe for LLMInferenceService ${ns}/${o.name}`, owner: o };
    out.push({ ...by, apiVersion: 'v1', kind: 'Service', name: plan.names.workloadService, object: { spec: { ports: [{ name: 'http', port: WORKLOAD_PORT }] } } });
    if (!plan.noPool) {
      out.push({ ...by, apiVersion: `${INFERENCE_POOL_GROUP}/v1`, kind: 'InferencePool', name: plan.names.inferencePool });
      out.push({ ...by, apiVersion: 'v1', kind: 'Service', name: plan.eppService, object: { spec: {} } });
    }
    if (!plan.noRoute) {
      const { spec, writtenAt } = routeSpec(o, plan, kserve);
      out.push({ ...by, apiVersion: `${GATEWAY_GROUP}/v1`, kind: 'HTTPRoute', name: plan.names.route, object: { spec }, writtenAt });
    }
  }
  return out;
}

/**
 * The spec of the route KServe generates: the preset's, with the top-level fields the service's own
 * `spec.router.route.http.spec` gives replacing it (a strategic merge; HTTPRouteSpec's lists have no merge keys),
 * parentRefs from `spec.router.gateway.refs` when given, and the preset pool's backendRefs rewritten as
 * combineBaseRefsConfig and expectedHTTPRoute do. Which fields the user wrote, and where, is kept for reporting.
 */
function routeSpec(o: KnownObject, plan: LlmisvcPlan, kserve: KServeRouting): { spec: any; writtenAt: Record<string, string> } {
  const router = o.object.spec.router;
  const gateway = llmisvcIngressGateway(kserve.kserveIngressGateway);
  // The preset's rules, one per kind of backend: the inference paths go to the pool, the catch-all paths to the workload.
  const spec: any = {
    parentRefs: [{ group: GATEWAY_GROUP, kind: 'Gateway', name: gateway.name, namespace: gateway.namespace }],
    rules: [
      { backendRefs: [{ group: INFERENCE_POOL_GROUP, kind: 'InferencePool', name: plan.names.inferencePool, port: WORKLOAD_PORT }] },
      { backendRefs: [{ kind: 'Service', name: plan.names.workloadService, port: WORKLOAD_PORT }] },
    ],
  };
  const writtenAt: Record<string, string> = {};
  const override = router.route.http?.spec;
  for (const key of isObject(override) ? Object.keys(override) : []) {
    spec[key] = override[key];
    writtenAt[key] = `.spec.router.route.http.spec.${key}`;
  }
  const gatewayRefs = list(router.gateway?.refs);
  if (gatewayRefs.length > 0) {
    spec.parentRefs = gatewayRefs.map(r => ({ group: GATEWAY_GROUP, kind: 'Gateway', name: r?.name, ...(r?.namespace ? { namespace: r.namespace } : {}), ...(r?.sectionName ? { sectionName: r.sectionName } : {}) }));
    writtenAt.parentRefs = '.spec.router.gateway.refs';
  }
  // isDefaultBackendRef: kind InferencePool and the default pool name, whatever the group.
  spec.rules = list(spec.rules).map(rule => (isObject(rule) && Array.isArray(rule.backendRefs) ? {
    ...rule,
    backendRefs: rule.backendRefs.map((ref: any) => {
      if (ref?.kind !== 'InferencePool' || ref?.name !== plan.names.inferencePool) return ref;
      if (!isObject(router.scheduler)) return { ...ref, group: '', kind: 'Service', name: plan.names.workloadService };
      if (plan.poolRef) return { ...ref, name: plan.poolRef };
      // KServe starts on the v1alpha2 group and moves to v1 for good once the gateway refuses it; agentgateway does.
      return { ...ref, group: INFERENCE_POOL_GROUP };
    }),
  } : rule));
  return { spec, writtenAt };
}

/** A reference from an input object (or from what the user wrote into a generated route) to a named object. */
interface Reference {
  readonly from: KnownObject;
  readonly path: string;
  readonly group: string;
  readonly kind: string;
  readonly namespace: string | undefined;
  readonly name: string;
}

/** The references of an AgentgatewayBackend's custom AI providers (namespace-local; group "" and kind Service by default). */
export function customProviderBackendRefs(backend: KnownObject): { path: string; group: string; kind: string; name: string }[] {
  const ai = backend.object?.spec?.ai;
  const at = (ref: any, path: string) => (isObject(ref) ? [{ path, group: String(ref.group ?? ''), kind: String(ref.kind ?? 'Service'), name: String(ref.name) }] : []);
  return [
    ...at(ai?.provider?.custom?.backendRef, '.spec.ai.provider.custom.backendRef'),
    ...list(ai?.groups).flatMap((g, i) => list(g?.providers).flatMap((p, j) => at(p?.custom?.backendRef, `.spec.ai.groups[${i}].providers[${j}].custom.backendRef`))),
  ];
}

/** References that may name what KServe creates for an LLMInferenceService: to routes, pools and Services. */
function references(objects: readonly KnownObject[]): Reference[] {
  const out: Reference[] = [];
  for (const o of objects) {
    if (o.existing || (o.runtime && !o.writtenAt)) continue;
    const group = apiGroup(o.apiVersion);
    if (o.kind === 'AgentgatewayPolicy' && group === 'agentgateway.dev') {
      list(o.object?.spec?.targetRefs).forEach((t, i) => {
        if (['HTTPRoute', 'Service', 'InferencePool'].includes(t?.kind)) out.push({ from: o, path: `.spec.targetRefs[${i}]`, group: t.group ?? '', kind: t.kind, namespace: o.namespace, name: t.name });
      });
    } else if (o.kind === 'HTTPRoute' && group === GATEWAY_GROUP) {
      list(o.object?.spec?.rules).forEach((rule, r) => list(rule?.backendRefs).forEach((ref, b) => {
        const kind = ref?.kind ?? 'Service';
        if (kind === 'Service' || kind === 'InferencePool') out.push({ from: o, path: `.spec.rules[${r}].backendRefs[${b}]`, group: ref.group ?? '', kind, namespace: ref.namespace ?? o.namespace, name: ref.name });
      }));
    } else if (o.kind === 'AgentgatewayBackend' && group === 'agentgateway.dev') {
      for (const ref of customProviderBackendRefs(o)) out.push({ from: o, ...ref, namespace: o.namespace });
    }
  }
  return out;
}

/**
 * LLM001-LLM003 among `objects` (the input and what controllers create from it). `reportAt` says where a finding on an
 * object goes (a generated route's findings go to the LLMInferenceService that wrote its spec), or undefined to drop it.
 */
export function llmisvcIssues(objects: readonly KnownObject[], index: ObjectIndex,
  reportAt: (o: KnownObject, path: string) => { at: KnownObject; path: string } | undefined): LlmisvcIssue[] {
  const owners = new LlmisvcNames(objects.filter(o => isLlmisvc(o) && o.object && !o.runtime));
  const issues: LlmisvcIssue[] = [];
  for (const ref of references(objects)) {
    const where = reportAt(ref.from, ref.path);
    if (!where) continue;
    const add = (rule: SecurityRule, detail: string, fix: string) => issues.push({ ...where, rule, detail, fix });
    const target = `${ref.kind} ${ref.namespace}/${ref.name}`;
    if (ref.kind === 'InferencePool' && ref.group === INFERENCE_POOL_ALPHA_GROUP) {
      add(LLMISVC_RULES.LLM002, `${target} is referenced in group ${INFERENCE_POOL_ALPHA_GROUP}`, LLMISVC_RULES.LLM002.fix);
      continue;
    }
    if (index.find(ref.group, ref.kind, ref.namespace, ref.name)) continue;
    const owner = owners.derivedFrom(ref.namespace ?? 'default', ref.name);
    if (!owner) continue;
    const { llmisvc, slots } = owner;
    const of = `LLMInferenceService ${llmisvc.namespace}/${llmisvc.name}`;
    const slot = slots.find(s => s.kind === ref.kind && s.name === ref.name);
    // Created, so referenced in another group: not a naming problem.
    if (slot && !slot.missing) continue;
    if (slot) {
      add(LLMISVC_RULES.LLM003, `${target} is what KServe names the ${slot.what} of ${of}, but it does not create it: ${slot.missing}`, slot.fix);
      continue;
    }
    const stale = LLMISVC_STALE_ROUTE_SUFFIXES.find(s => ref.name === kmetaChildName(llmisvc.name, s) || ref.name === llmisvc.name + s);
    const other = slots.find(s => s.name === ref.name);
    const right = slots.filter(s => s.kind === ref.kind);
    const why = stale ? ` ("${stale}" is the suffix of older KServe releases and docs)` : other ? ` (that is the name of its ${other.what})` : '';
    const fix = right.length === 0 ? `reference one of ${slots.map(s => `${s.kind} ${s.name}`).join(', ')}`
      : right.map(s => `use ${s.name} (its ${s.what})${s.missing ? `, which KServe creates only when ${s.fixedBy}: now ${s.missing}` : ''}`).join('; or ');
    add(LLMISVC_RULES.LLM001, `${target} is not a name KServe v0.20.0 gives an object of ${of}${why}`, fix);
  }
  return issues;
}

/** The input's LLMInferenceServices by namespace and name, and by the names KServe derives from them (hashed ones too). */
class LlmisvcNames {
  private readonly byName = new Map<string, KnownObject>();
  private readonly byDerived = new Map<string, KnownObject>();
  private readonly slots = new Map<KnownObject, { llmisvc: KnownObject; slots: Slot[] }>();

  constructor(services: readonly KnownObject[]) {
    for (const o of services) {
      const ns = o.namespace ?? 'default';
      const slots = slotsOf(llmisvcPlan(o));
      this.slots.set(o, { llmisvc: o, slots });
      this.byName.set(`${ns}/${o.name}`, o);
      for (const name of [...slots.map(s => s.name), ...LLMISVC_STALE_ROUTE_SUFFIXES.map(s => kmetaChildName(o.name, s))]) this.byDerived.set(`${ns}/${name}`, o);
    }
  }

  /** The service a name is derived from: one of its derived names, else the longest `<name>-` prefix that names one. */
  derivedFrom(namespace: string, name: string): { llmisvc: KnownObject; slots: Slot[] } | undefined {
    let owner = this.byDerived.get(`${namespace}/${name}`);
    for (let i = name.lastIndexOf('-'); !owner && i > 0; i = name.lastIndexOf('-', i - 1)) owner = this.byName.get(`${namespace}/${name.slice(0, i)}`);
    return owner && this.slots.get(owner)!;
  }
}

interface Slot { readonly kind: string; readonly name: string; readonly what: string; readonly missing?: string; readonly fixedBy: string; readonly fix: string }

/** What KServe names for the service, by kind, with why it is not created and how to make it be. */
function slotsOf(plan: LlmisvcPlan): Slot[] {
  const { names } = plan;
  const unstop = `remove the annotation ${STOP_ANNOTATION}`;
  const routeFix = plan.stopped ? unstop : `set spec.router.route (an empty {} for KServe's route, or http.spec for your own spec) instead of http.refs, or target the routes it names in http.refs`;
  const poolFix = plan.stopped ? unstop : plan.poolRef ? `reference the InferencePool "${plan.poolRef}" it uses`
    : `set spec.router.scheduler: {} so KServe creates the pool and its endpoint picker, or route to the model server's Service ${names.workloadService} directly`;
  return [
    { kind: 'HTTPRoute', name: names.route, what: 'route', missing: plan.noRoute, fixedBy: 'spec.router.route is set without http.refs', fix: routeFix },
    { kind: 'InferencePool', name: names.inferencePool, what: 'InferencePool', missing: plan.noPool, fixedBy: 'spec.router.scheduler is set without pool.ref', fix: poolFix },
    { kind: 'Service', name: names.workloadService, what: 'model server Service', missing: plan.stopped, fixedBy: 'it is not stopped', fix: unstop },
    { kind: 'Service', name: plan.eppService, what: 'endpoint picker Service', missing: plan.noPool, fixedBy: 'spec.router.scheduler is set without pool.ref', fix: poolFix },
  ];
}

/** Reference problems of an LLMInferenceService's own fields: the routes (http.refs) and the pool (pool.ref) it names must exist. */
export function llmisvcOwnReferences(o: KnownObject, index: ObjectIndex): { path: string; message: string }[] {
  const router = o.object?.spec?.router;
  const out: { path: string; message: string }[] = [];
  list(router?.route?.http?.refs).forEach((ref, i) => {
    if (!index.find(GATEWAY_GROUP, 'HTTPRoute', o.namespace, ref?.name)) {
      out.push({ path: `.spec.router.route.http.refs[${i}]`, message: `HTTPRoute ${o.namespace}/${ref?.name} not found: KServe marks the service's routes not ready (looked for ${GATEWAY_GROUP} HTTPRoute "${ref?.name}" in namespace "${o.namespace}")` });
    }
  });
  const pool = router?.scheduler?.pool?.ref?.name;
  if (pool && !index.find(INFERENCE_POOL_GROUP, 'InferencePool', o.namespace, pool)) {
    out.push({ path: '.spec.router.scheduler.pool.ref', message: `InferencePool ${o.namespace}/${pool} not found (looked for ${INFERENCE_POOL_GROUP} InferencePool "${pool}" in namespace "${o.namespace}", including pools KServe creates)` });
  }
  return out;
}

/** `objectKey` plus path: where a finding sits, to tell whether a more precise finding already covers it. */
export function findingKey(at: KnownObject, path: string): string {
  return `${objectKey(at)}#${path}`;
}

function isObject(v: unknown): v is Record<string, any> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
