/**
 * Security findings: the ways around a token budget, and workload hardening. Warnings by default, errors under
 * `--strict`. Objects that are byte for byte from a pinned upstream release are left to their upstream: only what
 * this input defines (or makes KServe generate) is judged.
 */
import { predictorPodLabels } from '../shared/kserve-conventions';
import { list, ObjectIndex, push } from './object-index';
import { KnownObject, selects } from './references';
import { apiGroup } from '../shared/object-identity';

/** A finding's stable id, why it matters and how to fix it. */
export interface SecurityRule {
  /** The stable id findings carry, e.g. `SEC001`. */
  readonly id: string;
  /** What is wrong, in a few words. */
  readonly title: string;
  /** Why it matters: how the budget or the model can be reached around the gateway. */
  readonly why: string;
  /** What to change. */
  readonly fix: string;
}

/** Every security finding, by id (the table in docs/validator.md is this list). */
export const SECURITY_RULES = {
  SEC001: {
    id: 'SEC001',
    title: 'rate-limited model reachable without its budget',
    why: 'requests on this route reach the model\'s predictor without passing the token budget, so the budget can be walked around',
    fix: 'let only the budgeted AI route reach the model: label the InferenceService networking.kserve.io/visibility: cluster-local (or set KServe\'s disableIngressCreation), and route other paths elsewhere',
  },
  SEC002: {
    id: 'SEC002',
    title: 'predictor reachable in-cluster',
    why: 'any pod in the cluster can call the predictor directly, around the gateway and its budget',
    fix: 'add a NetworkPolicy in the model\'s namespace that admits ingress to the predictor pods only from the gateway proxy',
  },
  SEC003: {
    id: 'SEC003',
    title: 'gateway admits routes from all namespaces',
    why: 'anyone who can create an HTTPRoute in any namespace can attach it and claim a model\'s hostname',
    fix: 'set allowedRoutes.namespaces.from: Selector with a label only model namespaces carry',
  },
  SEC004: {
    id: 'SEC004',
    title: 'local rate limit on a gateway that may run several proxies',
    why: 'a local limit is kept per proxy replica: N replicas admit N times the budget',
    fix: 'pin the gateway proxy to one replica, or keep the budget once for the whole gateway: the stack\'s `tenants` props (rateLimit.global with the rate-limit service component; README: Tenants; `npm run synth -- --profile tenants`)',
  },
  SEC005: {
    id: 'SEC005',
    title: 'image by mutable tag',
    why: 'a :latest (or untagged) image can change under the same manifest: what runs is not what was reviewed',
    fix: 'pin the image by digest (name@sha256:...) or at least by an immutable version tag',
  },
  SEC006: {
    id: 'SEC006',
    title: 'container not hardened',
    why: 'a container that may run as root, escalate privileges, write its root filesystem, keep Linux capabilities or use unbounded resources widens what a compromise can do',
    fix: 'set securityContext runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities.drop: [ALL], and resources.limits for cpu and memory',
  },
} as const satisfies Record<string, SecurityRule>;

/** One security finding on an object. */
export interface SecurityIssue {
  readonly at: KnownObject;
  readonly path: string;
  readonly rule: SecurityRule;
  readonly detail: string;
}

/** Formats an issue's message: id, what, why and fix. */
export function securityMessage(issue: SecurityIssue): string {
  return `[${issue.rule.id}] ${issue.detail}: ${issue.rule.why}. Fix: ${issue.rule.fix}`;
}

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const AGW_GROUP = 'agentgateway.dev';
const isKind = (o: KnownObject, group: string, kind: string) => o.kind === kind && apiGroup(o.apiVersion) === group;

/** Every security finding among `objects` (the input and what controllers create from it). */
export function securityIssues(objects: readonly KnownObject[], index = new ObjectIndex(objects)): SecurityIssue[] {
  const judged = objects.filter(o => !o.pinned);
  return [
    ...budgetBypasses(index),
    ...unprotectedPredictors(judged, index),
    ...openGateways(judged),
    ...perReplicaLimits(judged, index),
    ...containerIssues(judged),
  ];
}

/** Policies with a local token (or request) limit, and the routes they meter (directly, or through their Gateway). */
function rateLimits(policies: readonly KnownObject[], index: ObjectIndex): { policy: KnownObject; routes: KnownObject[] }[] {
  return policies.filter(o => isKind(o, AGW_GROUP, 'AgentgatewayPolicy') && list(o.object?.spec?.traffic?.rateLimit?.local).length > 0)
    .map(policy => {
      const routes = new Set<KnownObject>();
      for (const t of list(policy.object.spec.targetRefs)) {
        if (t?.kind === 'HTTPRoute') {
          const route = index.find(GATEWAY_GROUP, 'HTTPRoute', policy.namespace, t.name);
          if (route) routes.add(route);
        } else if (t?.kind === 'Gateway') {
          for (const r of index.routesOf(policy.namespace, t.name)) if (r.namespace === policy.namespace) routes.add(r);
        }
      }
      return { policy, routes: [...routes] };
    });
}

function budgetBypasses(index: ObjectIndex): SecurityIssue[] {
  const limits = rateLimits(index.objects, index);
  const metered = new Set(limits.flatMap(l => l.routes));
  // Which budgets guard each predictor Service, so each unmetered route is checked once against all of them.
  const budgetsOf = new Map<string, { policy: KnownObject; routes: KnownObject[] }[]>();
  for (const limit of limits) {
    for (const service of new Set(limit.routes.flatMap(r => index.reachedServices(r)))) push(budgetsOf, service, limit);
  }
  const issues: SecurityIssue[] = [];
  for (const route of index.routes) {
    if (metered.has(route)) continue;
    const byPolicy = new Map<{ policy: KnownObject; routes: KnownObject[] }, string[]>();
    for (const service of index.reachedServices(route)) {
      for (const limit of budgetsOf.get(service) ?? []) push(byPolicy, limit, service);
    }
    for (const [{ policy, routes }, reached] of byPolicy) {
      issues.push({
        at: route,
        path: '.spec.rules',
        rule: SECURITY_RULES.SEC001,
        detail: `HTTPRoute ${route.namespace}/${route.name}${route.runtime ? ` (${route.runtime})` : ''} sends traffic to ${reached.join(', ')}, ` +
          `the predictor of a model whose budget is ${policy.namespace}/${policy.name} on ${routes.map(r => `HTTPRoute ${r.name}`).join(', ')}`,
      });
    }
  }
  return issues;
}

function unprotectedPredictors(judged: readonly KnownObject[], index: ObjectIndex): SecurityIssue[] {
  return judged.filter(o => isKind(o, 'serving.kserve.io', 'InferenceService')).flatMap(isvc => {
    const labels = predictorPodLabels(isvc.name);
    const guarded = index.networkPolicies(isvc.namespace).some(p => {
      const spec = p.object?.spec ?? {};
      const ingress = Array.isArray(spec.policyTypes) ? spec.policyTypes.includes('Ingress') : true;
      // A rule with no `from` admits every source: that is no protection.
      const restricted = list(spec.ingress).every((r: any) => Array.isArray(r?.from) && r.from.length > 0);
      return ingress && restricted && selects(spec.podSelector, labels);
    });
    return guarded ? [] : [{
      at: isvc,
      path: '',
      rule: SECURITY_RULES.SEC002,
      detail: `no NetworkPolicy in namespace ${isvc.namespace} restricts ingress to the predictor pods of InferenceService ${isvc.name}`,
    }];
  });
}

function openGateways(judged: readonly KnownObject[]): SecurityIssue[] {
  return judged.filter(o => isKind(o, GATEWAY_GROUP, 'Gateway')).flatMap(gw => list(gw.object?.spec?.listeners).flatMap((l: any, i: number) =>
    l?.allowedRoutes?.namespaces?.from === 'All' ? [{
      at: gw,
      path: `.spec.listeners[${i}].allowedRoutes.namespaces.from`,
      rule: SECURITY_RULES.SEC003,
      detail: `listener "${l.name}" admits routes from all namespaces`,
    }] : []));
}

/** Why a gateway's proxy may run more than one replica, or undefined. */
function multipleReplicas(gateway: KnownObject, index: ObjectIndex): string | undefined {
  const ref = gateway.object?.spec?.infrastructure?.parametersRef;
  const params = ref && index.find(AGW_GROUP, 'AgentgatewayParameters', gateway.namespace, ref.name);
  const spec = params?.object?.spec;
  if ((spec?.deployment?.spec?.replicas ?? 1) > 1) return `its AgentgatewayParameters ${params!.name} asks for ${spec.deployment.spec.replicas} replicas`;
  if (spec?.horizontalPodAutoscaler && (spec.horizontalPodAutoscaler.spec?.maxReplicas ?? 2) > 1) return `its AgentgatewayParameters ${params!.name} autoscales the proxy`;
  if (spec?.workload?.kind === 'DaemonSet') return `its AgentgatewayParameters ${params!.name} runs the proxy as a DaemonSet, one per node`;
  const hpa = index.hpas.find(o => o.namespace === gateway.namespace &&
    o.object?.spec?.scaleTargetRef?.name === gateway.name && (o.object?.spec?.maxReplicas ?? 1) > 1);
  if (hpa) return `HorizontalPodAutoscaler ${hpa.name} scales its proxy up to ${hpa.object.spec.maxReplicas} replicas`;
  return undefined;
}

function perReplicaLimits(judged: readonly KnownObject[], index: ObjectIndex): SecurityIssue[] {
  return rateLimits(judged, index).flatMap(({ policy, routes }) => {
    const parents = new Set<KnownObject>();
    for (const r of routes) {
      for (const p of list(r.object?.spec?.parentRefs)) {
        const g = index.find(GATEWAY_GROUP, 'Gateway', p?.namespace ?? r.namespace, p?.name);
        if (g) parents.add(g);
      }
    }
    for (const t of list(policy.object.spec.targetRefs)) {
      const g = t?.kind === 'Gateway' ? index.find(GATEWAY_GROUP, 'Gateway', policy.namespace, t.name) : undefined;
      if (g) parents.add(g);
    }
    // In input order, as before indexing.
    return index.gateways.filter(g => parents.has(g)).flatMap(g => {
      const why = index.memo(g, gw => multipleReplicas(gw, index));
      return why ? [{ at: policy, path: '.spec.traffic.rateLimit.local', rule: SECURITY_RULES.SEC004, detail: `Gateway ${g.namespace}/${g.name} may run several proxies: ${why}` }] : [];
    });
  });
}

/** The containers of an object with a pod template (or an InferenceService predictor), with their JSON paths. */
function containersOf(o: KnownObject): { path: string; container: any; pod: any }[] {
  const spec = o.object?.spec;
  if (!spec) return [];
  let pod: any;
  let base: string;
  if (o.kind === 'InferenceService') {
    pod = spec.predictor;
    base = '.spec.predictor';
  } else if (o.kind === 'Pod') {
    pod = spec;
    base = '.spec';
  } else if (o.kind === 'CronJob') {
    pod = spec.jobTemplate?.spec?.template?.spec;
    base = '.spec.jobTemplate.spec.template.spec';
  } else {
    pod = spec.template?.spec;
    base = '.spec.template.spec';
  }
  if (!pod) return [];
  return ['initContainers', 'containers'].flatMap(field => list(pod[field]).map((c: any, i: number) => ({ path: `${base}.${field}[${i}]`, container: c, pod })));
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod', 'InferenceService']);

function containerIssues(judged: readonly KnownObject[]): SecurityIssue[] {
  const issues: SecurityIssue[] = [];
  for (const o of judged.filter(x => WORKLOAD_KINDS.has(x.kind))) {
    for (const { path, container, pod } of containersOf(o)) {
      const image: string = container.image ?? '';
      if (image && !image.includes('@') && (/:latest$/.test(image) || !/:[^/]+$/.test(image))) {
        issues.push({ at: o, path: `${path}.image`, rule: SECURITY_RULES.SEC005, detail: `container "${container.name}" runs image ${image}` });
      }
      const sc = container.securityContext ?? {};
      const podSc = pod.securityContext ?? {};
      const missing = [
        (sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true ? 'runAsNonRoot: true' : '',
        sc.allowPrivilegeEscalation !== false ? 'allowPrivilegeEscalation: false' : '',
        sc.readOnlyRootFilesystem !== true ? 'readOnlyRootFilesystem: true' : '',
        !(sc.capabilities?.drop ?? []).includes('ALL') ? 'capabilities.drop: [ALL]' : '',
        container.resources?.limits?.cpu === undefined ? 'resources.limits.cpu' : '',
        container.resources?.limits?.memory === undefined ? 'resources.limits.memory' : '',
      ].filter(Boolean);
      if (missing.length > 0) {
        issues.push({ at: o, path, rule: SECURITY_RULES.SEC006, detail: `container "${container.name}" lacks ${missing.join(', ')}` });
      }
    }
  }
  return issues;
}
