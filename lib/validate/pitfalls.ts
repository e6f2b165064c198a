/**
 * agentgateway v1.4.1 pitfalls: objects the API server accepts but the controller or proxy silently applies
 * differently from what they say. Warnings by default, errors under `--strict`; objects byte for byte from a pinned
 * upstream release are left to their upstream.
 */
import type { KnownObject } from './references';
import type { SecurityRule } from './security';
import { INFERENCE_POOL_GROUP } from '../shared/kserve-conventions';
import { apiGroup } from '../shared/object-identity';
import { VERSIONS } from '../upstream/artifacts';
import { customProviderBackendRefs } from './llmisvc';
import { list, ObjectIndex } from './object-index';

/**
 * The last agentgateway release in which an AI backend on an InferencePool skips the pool's endpoint picker: the
 * fix (agentgateway#2976, "resolve InferenceRouting policy for AI provider_backend") is merged after v1.4.1.
 */
export const ENDPOINT_PICKER_BYPASS_LAST_RELEASE = 'v1.4.1';

/** Every pitfall finding, by id (the README's table is this list). */
export const PITFALL_RULES = {
  AGW001: {
    id: 'AGW001',
    title: 'more than one local rate limit in one policy',
    why: 'the agentgateway v1.4.1 controller compiles only the first entry of rateLimit.local into the proxy (controller/pkg/agentgateway/plugins/traffic_plugin.go, agentgateway issue #2943); the others are silently dropped',
    fix: 'keep one entry per policy; to combine a token and a request limit, put the second on another target (for example the Gateway) rather than in the same list',
  },
  AGW002: {
    id: 'AGW002',
    title: 'two policies set the same field on the same target',
    why: 'the proxy keeps one policy per field and target (crates/agentgateway/src/store/policy.rs replaces rather than merges, agentgateway issue #2943): only one of them takes effect',
    fix: 'merge the settings into one AgentgatewayPolicy for that target, or target different objects',
  },
  AGW003: {
    id: 'AGW003',
    title: 'token budget on a route whose backend is not an AI backend',
    why: 'tokens are counted only for requests to an AgentgatewayBackend with `ai`, which parses the LLM response; on any other backend a token limit never counts anything',
    fix: 'route the budgeted traffic through an AgentgatewayBackend with spec.ai, or use a request limit (requests) for this route',
  },
  AGW004: {
    id: 'AGW004',
    title: `AI backend on an InferencePool skips the pool's endpoint picker (agentgateway ${ENDPOINT_PICKER_BYPASS_LAST_RELEASE} and earlier)`,
    why: `in agentgateway ${ENDPOINT_PICKER_BYPASS_LAST_RELEASE} traffic through an AgentgatewayBackend whose ai.provider.custom.backendRef is an InferencePool never asks the pool's endpoint picker: the llm-d router's load-, prefix-cache- and KV-cache-aware scheduling is lost, and endpoints are chosen by plain load balancing across the pool's pods (fixed after ${ENDPOINT_PICKER_BYPASS_LAST_RELEASE}, agentgateway#2976). The AI backend is there because token budgets need one: only AI backends count tokens`,
    fix: `accept the trade-off to keep the token budget; or, without a budget, route the HTTPRoute to the InferencePool directly (KServe's generated route does); or upgrade agentgateway past ${ENDPOINT_PICKER_BYPASS_LAST_RELEASE}`,
  },
} as const satisfies Record<string, SecurityRule>;

/** Whether an agentgateway release (`vX.Y.Z`) has the endpoint picker bypass of AGW004. */
export function hasEndpointPickerBypass(version: string): boolean {
  const parts = (v: string) => v.replace(/^v/, '').split(/[.-]/).slice(0, 3).map(Number);
  const [a, b] = [parts(version), parts(ENDPOINT_PICKER_BYPASS_LAST_RELEASE)];
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return true;
}

/** One pitfall finding on an object. */
export interface PitfallIssue {
  readonly at: KnownObject;
  readonly path: string;
  readonly rule: SecurityRule;
  readonly detail: string;
  /** The fix for this case, when it says more than the rule's. */
  readonly fix?: string;
}

/** Formats an issue's message: id, what, why and fix. */
export function pitfallMessage(issue: PitfallIssue): string {
  return `[${issue.rule.id}] ${issue.detail}: ${issue.rule.why}. Fix: ${issue.fix ?? issue.rule.fix}`;
}

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const AGW_GROUP = 'agentgateway.dev';
const isPolicy = (o: KnownObject) => o.kind === 'AgentgatewayPolicy' && apiGroup(o.apiVersion) === AGW_GROUP;
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Every pitfall among `objects` (the input and what controllers create from it), for the agentgateway release the
 * stack pins (`agentgatewayVersion`, where a pitfall is fixed in some release).
 */
export function pitfallIssues(objects: readonly KnownObject[], index = new ObjectIndex(objects), agentgatewayVersion: string = VERSIONS.agentgateway): PitfallIssue[] {
  const policies = objects.filter(o => isPolicy(o) && isObject(o.object?.spec));
  const judged = policies.filter(o => !o.pinned);
  return [
    ...multipleLocalLimits(judged), ...sameFieldSameTarget(policies), ...tokenBudgetsWithoutAi(judged, index),
    ...(hasEndpointPickerBypass(agentgatewayVersion) ? aiBackendsOnPools(objects, agentgatewayVersion) : []),
  ];
}

function aiBackendsOnPools(objects: readonly KnownObject[], version: string): PitfallIssue[] {
  return objects.filter(o => o.kind === 'AgentgatewayBackend' && apiGroup(o.apiVersion) === AGW_GROUP && !o.pinned && !o.runtime)
    .flatMap(backend => customProviderBackendRefs(backend)
      .filter(ref => ref.group === INFERENCE_POOL_GROUP && ref.kind === 'InferencePool')
      .map(ref => ({
        at: backend,
        path: ref.path,
        rule: PITFALL_RULES.AGW004,
        detail: `its AI traffic goes to InferencePool ${backend.namespace}/${ref.name}, through agentgateway ${version} (the release the stack pins)`,
      })));
}

function multipleLocalLimits(policies: readonly KnownObject[]): PitfallIssue[] {
  return policies.flatMap(policy => {
    const local = list(policy.object.spec.traffic?.rateLimit?.local);
    return local.length > 1 ? [{
      at: policy,
      path: '.spec.traffic.rateLimit.local',
      rule: PITFALL_RULES.AGW001,
      detail: `rateLimit.local has ${local.length} entries; only the first (${describeLimit(local[0])}) is enforced`,
    }] : [];
  });
}

function describeLimit(limit: any): string {
  const what = limit?.tokens !== undefined ? `${limit.tokens} tokens` : `${limit?.requests} requests`;
  return `${what} per ${String(limit?.unit ?? 'unit').replace(/s$/, '').toLowerCase()}`;
}

// Settings that configure how a policy applies rather than a policy of their own.
const NOT_POLICY_FIELDS = new Set(['phase']);

/** `<ns>/<group>/<kind>/<name>[/<section>][:<port>]` of a policy's target, in the policy's namespace. */
function targetKey(policy: KnownObject, ref: any): string {
  return `${policy.namespace}/${ref?.group ?? ''}/${ref?.kind}/${ref?.name}${ref?.sectionName ? `/${ref.sectionName}` : ''}${ref?.port ? `:${ref.port}` : ''}`;
}

function sameFieldSameTarget(policies: readonly KnownObject[]): PitfallIssue[] {
  const setters = new Map<string, KnownObject>();
  const issues: PitfallIssue[] = [];
  for (const policy of policies) {
    const spec = policy.object.spec;
    const fields = ['traffic', 'frontend', 'backend'].flatMap(section => (isObject(spec[section])
      ? Object.keys(spec[section]).filter(f => !NOT_POLICY_FIELDS.has(f)).map(f => `${section}.${f}`) : []));
    const phase = spec.traffic?.phase ?? '';
    list(spec.targetRefs).forEach((ref, i) => {
      for (const field of fields) {
        const key = `${targetKey(policy, ref)}#${phase}#${field}`;
        const first = setters.get(key);
        if (!first) {
          setters.set(key, policy);
          continue;
        }
        if (first === policy || policy.pinned) continue;
        issues.push({
          at: policy,
          path: `.spec.${field}`,
          rule: PITFALL_RULES.AGW002,
          detail: `${field} is also set by AgentgatewayPolicy ${first.namespace}/${first.name} on ${ref?.kind} ${policy.namespace}/${ref?.name} (targetRefs[${i}])`,
        });
      }
    });
  }
  return issues;
}

function tokenBudgetsWithoutAi(policies: readonly KnownObject[], index: ObjectIndex): PitfallIssue[] {
  const issues: PitfallIssue[] = [];
  for (const policy of policies) {
    const local = list(policy.object.spec.traffic?.rateLimit?.local);
    const tokenIndex = local.findIndex(l => l?.tokens !== undefined);
    // Only the first entry is enforced (AGW001), so only a first-entry token limit counts tokens at all.
    if (tokenIndex !== 0) continue;
    const routes = list(policy.object.spec.targetRefs).flatMap(ref => {
      if (ref?.kind === 'HTTPRoute') {
        const route = index.find(GATEWAY_GROUP, 'HTTPRoute', policy.namespace, ref.name);
        return route ? [route] : [];
      }
      return ref?.kind === 'Gateway' ? index.routesOf(policy.namespace, ref.name) : [];
    });
    for (const route of routes) {
      const sent: string[] = [];
      list(route.object?.spec?.rules).forEach((rule, r) => list(rule?.backendRefs).forEach((ref, b) => {
        const group = ref?.group ?? '';
        const kind = ref?.kind ?? 'Service';
        const backend = group === AGW_GROUP && kind === 'AgentgatewayBackend'
          ? index.find(AGW_GROUP, 'AgentgatewayBackend', ref.namespace ?? route.namespace, ref.name) : undefined;
        if (backend && isObject(backend.object?.spec?.ai)) return;
        const what = backend ? `AgentgatewayBackend ${backend.namespace}/${backend.name} without spec.ai` : `${kind} ${ref?.namespace ?? route.namespace}/${ref?.name}`;
        sent.push(`rules[${r}].backendRefs[${b}] to ${what}`);
      }));
      if (sent.length === 0) continue;
      // A route KServe generates for an LLMInferenceService is changed through the service, not edited.
      const owner = route.owner?.kind === 'LLMInferenceService' ? route.owner : undefined;
      issues.push({
        at: policy,
        path: '.spec.traffic.rateLimit.local[0].tokens',
        rule: PITFALL_RULES.AGW003,
        detail: `HTTPRoute ${route.namespace}/${route.name}${route.runtime ? ` (${route.runtime})` : ''} sends ${sent.join(', ')}`,
        fix: owner && `${PITFALL_RULES.AGW003.fix}: for LLMInferenceService ${owner.namespace}/${owner.name}, set spec.router.route.http.spec to a route whose backendRef is an AgentgatewayBackend with ai.provider.custom.backendRef naming its InferencePool`,
      });
    }
  }
  return issues;
}
