/**
 * agentgateway v1.4.1 pitfalls: objects the API server accepts but the controller or proxy silently applies
 * differently from what they say. Warnings by default, errors under `--strict`; objects byte for byte from a pinned
 * upstream release are left to their upstream.
 */
import type { KnownObject } from './references';
import type { SecurityRule } from './security';
import { apiGroup } from '../shared/object-identity';
import { list, ObjectIndex } from './object-index';

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
} as const satisfies Record<string, SecurityRule>;

/** One pitfall finding on an object. */
export interface PitfallIssue {
  readonly at: KnownObject;
  readonly path: string;
  readonly rule: SecurityRule;
  readonly detail: string;
}

/** Formats an issue's message: id, what, why and fix. */
export function pitfallMessage(issue: PitfallIssue): string {
  return `[${issue.rule.id}] ${issue.detail}: ${issue.rule.why}. Fix: ${issue.rule.fix}`;
}

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const AGW_GROUP = 'agentgateway.dev';
const isPolicy = (o: KnownObject) => o.kind === 'AgentgatewayPolicy' && apiGroup(o.apiVersion) === AGW_GROUP;
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Every pitfall among `objects` (the input and what controllers create from it). */
export function pitfallIssues(objects: readonly KnownObject[], index = new ObjectIndex(objects)): PitfallIssue[] {
  const policies = objects.filter(o => isPolicy(o) && isObject(o.object?.spec));
  const judged = policies.filter(o => !o.pinned);
  return [...multipleLocalLimits(judged), ...sameFieldSameTarget(policies), ...tokenBudgetsWithoutAi(judged, index)];
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
      list(route.object?.spec?.rules).forEach((rule, r) => list(rule?.backendRefs).forEach((ref, b) => {
        const group = ref?.group ?? '';
        const kind = ref?.kind ?? 'Service';
        const backend = group === AGW_GROUP && kind === 'AgentgatewayBackend'
          ? index.find(AGW_GROUP, 'AgentgatewayBackend', ref.namespace ?? route.namespace, ref.name) : undefined;
        if (backend && isObject(backend.object?.spec?.ai)) return;
        const what = backend ? `AgentgatewayBackend ${backend.namespace}/${backend.name} without spec.ai` : `${kind} ${ref?.namespace ?? route.namespace}/${ref?.name}`;
        issues.push({
          at: policy,
          path: '.spec.traffic.rateLimit.local[0].tokens',
          rule: PITFALL_RULES.AGW003,
          detail: `HTTPRoute ${route.namespace}/${route.name}${route.runtime ? ` (${route.runtime})` : ''} sends rules[${r}].backendRefs[${b}] to ${what}`,
        });
      }));
    }
  }
  return issues;
}
