/**
 * The input's objects indexed once for the cross-object checks, so each check is linear in the input (a scan per
 * policy, route or backend made 3,000 models cost seconds).
 */
import type { KnownObject } from './references';
import { apiGroup, objectKey } from '../shared/object-identity';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const AGW_GROUP = 'agentgateway.dev';
const isKind = (o: KnownObject, group: string, kind: string) => o.kind === kind && apiGroup(o.apiVersion) === group;

/** Objects by identity, routes by parent gateway, NetworkPolicies by namespace, and memoized derived facts. */
export class ObjectIndex {
  private readonly byKey = new Map<string, KnownObject>();
  private readonly routesByParent = new Map<string, KnownObject[]>();
  private readonly networkPoliciesByNs = new Map<string, KnownObject[]>();
  private readonly reached = new Map<KnownObject, string[]>();
  private readonly memos = new Map<KnownObject, unknown>();
  readonly routes: KnownObject[] = [];
  readonly gateways: KnownObject[] = [];
  readonly hpas: KnownObject[] = [];

  constructor(readonly objects: readonly KnownObject[]) {
    for (const o of objects) {
      this.byKey.set(objectKey(o), o);
      if (isKind(o, GATEWAY_GROUP, 'HTTPRoute')) {
        this.routes.push(o);
        for (const p of list(o.object?.spec?.parentRefs)) push(this.routesByParent, `${p?.namespace ?? o.namespace}/${p?.name}`, o);
      } else if (isKind(o, GATEWAY_GROUP, 'Gateway')) this.gateways.push(o);
      else if (isKind(o, 'networking.k8s.io', 'NetworkPolicy')) push(this.networkPoliciesByNs, o.namespace ?? '', o);
      else if (o.kind === 'HorizontalPodAutoscaler') this.hpas.push(o);
    }
  }

  find(group: string, kind: string, namespace: string | undefined, name: unknown): KnownObject | undefined {
    return this.byKey.get(`${group}/${kind}/${namespace ?? ''}/${name}`);
  }

  /** HTTPRoutes whose parentRefs name this gateway. */
  routesOf(namespace: string | undefined, gateway: unknown): KnownObject[] {
    return this.routesByParent.get(`${namespace}/${gateway}`) ?? [];
  }

  networkPolicies(namespace: string | undefined): KnownObject[] {
    return this.networkPoliciesByNs.get(namespace ?? '') ?? [];
  }

  /** The predictor Services a route's traffic reaches: Service backends, and AI backends whose host is one. */
  reachedServices(route: KnownObject): string[] {
    let out = this.reached.get(route);
    if (out) return out;
    out = [];
    for (const rule of list(route.object?.spec?.rules)) {
      for (const ref of list(rule?.backendRefs)) {
        const ns = ref?.namespace ?? route.namespace;
        if ((ref?.group ?? '') === '' && (ref?.kind ?? 'Service') === 'Service') out.push(`${ns}/${ref?.name}`);
        if (ref?.group === AGW_GROUP && ref?.kind === 'AgentgatewayBackend') {
          const host: unknown = this.find(AGW_GROUP, 'AgentgatewayBackend', ns, ref.name)?.object?.spec?.ai?.provider?.host;
          const m = typeof host === 'string' ? /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(host) : null;
          if (m) out.push(`${m[2]}/${m[1]}`);
        }
      }
    }
    this.reached.set(route, out);
    return out;
  }

  /** `compute(key)` once per key object (per gateway, per route), for derived facts the checks ask for repeatedly. */
  memo<T>(key: KnownObject, compute: (key: KnownObject) => T): T {
    if (!this.memos.has(key)) this.memos.set(key, compute(key));
    return this.memos.get(key) as T;
  }
}

export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const at = map.get(key);
  if (at) at.push(value);
  else map.set(key, [value]);
}

/** An array field of input, or none: objects reaching these checks have the right JSON types, but stay careful. */
export function list(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

