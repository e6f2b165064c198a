/**
 * The API server and controllers of the kubectl double (see `kubectl.ts`), as a pure model: a state of stored
 * objects plus the time, from which discovery, admission and every status a controller would write are derived.
 * Nothing runs in the background: a condition "becomes" true once enough time has passed since what it depends on.
 */
import * as fs from 'fs';
import * as path from 'path';
import { BUILTIN_TYPES, ResourceType } from './builtins';

/** An object as the double stores it. */
export interface Stored {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly name: string;
  readonly namespace?: string;
  /** The applied object (a CRD without its schemas, which nothing here reads). */
  body: any;
  /** Hash of the applied object, for no-op detection. */
  hash: string;
  manager: string;
  resourceVersion: number;
  createdAt: number;
  deletedAt?: number;
}

export interface State {
  /** Last resourceVersion handed out: unchanged by a no-op apply, as on a real server. */
  rv: number;
  objects: Record<string, Stored>;
}

export const keyOf = (group: string, plural: string, namespace: string | undefined, name: string) => `${group}/${plural}/${namespace ?? ''}/${name}`;

export function loadState(dir: string): State {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'));
  } catch (e: any) {
    if (e.code !== 'ENOENT') throw e;
    return freshState();
  }
}

/** A new cluster's state: the namespaces the API server creates itself. */
export function freshState(): State {
  const objects: Record<string, Stored> = {};
  ['default', 'kube-system', 'kube-public', 'kube-node-lease'].forEach((name, i) => {
    objects[keyOf('', 'namespaces', undefined, name)] = {
      group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, name, manager: 'kube-apiserver', hash: '',
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, resourceVersion: i + 1, createdAt: 0,
    };
  });
  return { rv: 4, objects };
}

/** Writes the state atomically, without the objects that are gone by `now`. */
export function saveState(dir: string, state: State, now: number, delay: number): void {
  const cluster = new Cluster(state, now, delay);
  for (const [key, o] of Object.entries(state.objects)) if (now >= cluster.goneAt(o)) delete state.objects[key];
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.state.${process.pid}.json`);
  fs.writeFileSync(tmp, JSON.stringify(state));
  fs.renameSync(tmp, path.join(dir, 'state.json'));
}

/** The cluster at one instant. `delay` is how long each controller takes to act (ms). */
export class Cluster {
  private readonly memo = new Map<string, number>();

  constructor(public readonly state: State, public readonly now: number, public readonly delay: number) {}

  /** How long until an object marked deleted is gone (finalizers, graceful termination). */
  goneAt(o: Stored): number {
    if (o.deletedAt === undefined) return Infinity;
    const slow = o.kind === 'Namespace' || o.kind === 'CustomResourceDefinition';
    return o.deletedAt + (slow ? 2 : 1) * this.delay;
  }

  /** Objects that exist (terminating ones included). */
  live(): Stored[] {
    return Object.values(this.state.objects).filter(o => this.now < this.goneAt(o));
  }

  get(group: string, plural: string, namespace: string | undefined, name: string): Stored | undefined {
    const o = this.state.objects[keyOf(group, plural, namespace, name)];
    return o && this.now < this.goneAt(o) ? o : undefined;
  }

  /** What discovery serves now: built-in types plus the CRDs that are Established. */
  types(): ResourceType[] {
    const custom = this.live().filter(o => o.kind === 'CustomResourceDefinition' && o.deletedAt === undefined && this.now >= this.readyAt(o)).map(o => {
      const s = o.body.spec;
      return {
        group: s.group, kind: s.names.kind, plural: s.names.plural, singular: s.names.singular ?? s.names.kind.toLowerCase(),
        shortNames: s.names.shortNames ?? [], namespaced: s.scope === 'Namespaced',
        versions: (s.versions ?? []).filter((v: any) => v.served !== false).map((v: any) => v.name),
      };
    });
    return [...BUILTIN_TYPES, ...custom];
  }

  /** The type serving `apiVersion`/`kind`, as kubectl's RESTMapper finds it. */
  typeFor(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    return this.types().find(t => t.group === group && t.kind === kind && t.versions.includes(version));
  }

  /** The type a command-line resource names: `deployment`, `deploy`, `deployments.apps`, `crd`, `certificate.cert-manager.io`. */
  typeForArg(arg: string): ResourceType | undefined {
    const [word, ...rest] = arg.toLowerCase().split('.');
    const group = rest.join('.');
    return this.types().find(t => (rest.length === 0 || t.group === group)
      && (t.plural === word || t.singular === word || t.shortNames.includes(word) || t.kind.toLowerCase() === word));
  }

  /** When the object's controller-set "ready" condition turns true (Infinity: never, as things stand). */
  readyAt(o: Stored): number {
    const key = keyOf(o.group, o.plural, o.namespace, o.name);
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    this.memo.set(key, Infinity); // a cycle never becomes ready
    const at = this.computeReadyAt(o);
    this.memo.set(key, at);
    return at;
  }

  private computeReadyAt(o: Stored): number {
    const d = this.delay;
    const spec = o.body.spec ?? {};
    switch (o.kind) {
      case 'Deployment':
      case 'DaemonSet':
      case 'StatefulSet': {
        // Pods start only once what they mount exists and their service account exists.
        const pod = spec.template?.spec ?? {};
        const deps = [o.createdAt];
        const sa = pod.serviceAccountName ?? pod.serviceAccount;
        if (sa && sa !== 'default') deps.push(this.get('', 'serviceaccounts', o.namespace, sa)?.createdAt ?? Infinity);
        for (const v of pod.volumes ?? []) {
          if (v.secret?.secretName && v.secret.optional !== true) deps.push(this.secretReadyAt(o.namespace, v.secret.secretName));
          if (v.configMap?.name && v.configMap.optional !== true) deps.push(this.get('', 'configmaps', o.namespace, v.configMap.name)?.createdAt ?? Infinity);
        }
        return Math.max(...deps) + d;
      }
      case 'Certificate': {
        const ref = spec.issuerRef ?? {};
        const issuer = ref.kind === 'ClusterIssuer' ? this.get('cert-manager.io', 'clusterissuers', undefined, ref.name) : this.get('cert-manager.io', 'issuers', o.namespace, ref.name);
        return Math.max(o.createdAt, issuer ? this.readyAt(issuer) : Infinity) + d;
      }
      case 'InferenceService': {
        // The predictor's pods pass KServe's pod webhook: the service is ready only once that webhook answers.
        const pod = { group: '', version: 'v1', plural: 'pods', namespaced: true, namespace: o.namespace, labels: { 'serving.kserve.io/inferenceservice': o.name } };
        const hooks = this.matchingWebhooks(pod, 'CREATE').map(h => this.serviceReadyAt(h.service));
        return Math.max(o.createdAt, ...hooks) + 2 * d;
      }
      case 'AgentgatewayPolicy': {
        const targets = (spec.targetRefs ?? []).map((r: any) => this.live().find(x => x.kind === r.kind && x.group === (r.group ?? '') && x.name === r.name && x.namespace === o.namespace));
        return Math.max(o.createdAt, ...targets.map((t: Stored | undefined) => (t ? t.createdAt : Infinity))) + d;
      }
      default:
        return o.createdAt + d;
    }
  }

  /** When a Secret exists: applied, or written by the Certificate that names it. */
  secretReadyAt(namespace: string | undefined, name: string): number {
    const applied = this.get('', 'secrets', namespace, name);
    if (applied) return applied.createdAt;
    const certs = this.live().filter(c => c.kind === 'Certificate' && c.namespace === namespace && c.body.spec?.secretName === name);
    return Math.min(Infinity, ...certs.map(c => this.readyAt(c)));
  }

  /** When a Service first has a ready endpoint: a workload in its namespace whose pod labels its selector matches is ready. */
  serviceReadyAt(ref: { namespace: string; name: string }): number {
    const svc = this.get('', 'services', ref.namespace, ref.name);
    const selector = svc?.body.spec?.selector;
    if (!svc || !selector || Object.keys(selector).length === 0) return Infinity;
    const workloads = this.live().filter(w => ['Deployment', 'DaemonSet', 'StatefulSet'].includes(w.kind) && w.group === 'apps'
      && w.namespace === ref.namespace && w.deletedAt === undefined
      && Object.entries(selector).every(([k, v]) => w.body.spec?.template?.metadata?.labels?.[k] === v));
    return Math.min(Infinity, ...workloads.map(w => Math.max(svc.createdAt, this.readyAt(w))));
  }

  /** The webhooks (failurePolicy Fail, calling a Service) that a request for this object goes through. */
  matchingWebhooks(obj: { group: string; version: string; plural: string; namespaced: boolean; namespace?: string; labels?: Record<string, string>; name?: string },
    operation: 'CREATE' | 'UPDATE' | 'DELETE'): { webhook: string; service: { namespace: string; name: string; path?: string; port?: number }; timeout: number }[] {
    const out = [];
    for (const config of this.live().filter(c => c.group === 'admissionregistration.k8s.io' && /^(Validating|Mutating)WebhookConfiguration$/.test(c.kind))) {
      for (const w of config.body.webhooks ?? []) {
        if ((w.failurePolicy ?? 'Fail') !== 'Fail' || !w.clientConfig?.service) continue;
        if (!(w.rules ?? []).some((r: any) => ruleMatches(r, obj, operation, w.matchPolicy ?? 'Equivalent'))) continue;
        // The namespace selector applies to namespaced objects (by their namespace's labels) and to Namespaces themselves.
        const nsName = obj.plural === 'namespaces' && obj.group === '' ? obj.name : obj.namespaced ? obj.namespace : undefined;
        if (w.namespaceSelector && nsName !== undefined) {
          const ns = this.get('', 'namespaces', undefined, nsName);
          const labels = { ...(ns?.body.metadata?.labels ?? {}), 'kubernetes.io/metadata.name': nsName };
          if (!selectorMatches(w.namespaceSelector, labels)) continue;
        }
        if (w.objectSelector && !selectorMatches(w.objectSelector, obj.labels ?? {})) continue;
        out.push({ webhook: w.name, service: w.clientConfig.service, timeout: w.timeoutSeconds ?? 10 });
      }
    }
    return out;
  }

  /** The API server's refusal when a webhook this request must pass has no ready endpoint, else undefined. */
  admissionError(obj: Parameters<Cluster['matchingWebhooks']>[0], operation: 'CREATE' | 'UPDATE' | 'DELETE'): string | undefined {
    for (const h of this.matchingWebhooks(obj, operation)) {
      if (this.now >= this.serviceReadyAt(h.service)) continue;
      const s = h.service;
      const why = this.get('', 'services', s.namespace, s.name) ? `no endpoints available for service "${s.name}"` : `service "${s.name}" not found`;
      return `Error from server (InternalError): Internal error occurred: failed calling webhook "${h.webhook}": failed to call webhook: ` +
        `Post "https://${s.name}.${s.namespace}.svc:${s.port ?? 443}${s.path ?? ''}?timeout=${h.timeout}s": ${why}`;
    }
    return undefined;
  }

  /** The object as `kubectl get -o json` would show it now, with the status its controller would have written. */
  view(o: Stored): any {
    const ready = this.now >= this.readyAt(o);
    const cond = (type: string, ok = ready) => ({ type, status: ok ? 'True' : 'False', reason: ok ? type : 'Pending' });
    const metadata = { ...o.body.metadata, name: o.name, namespace: o.namespace, resourceVersion: String(o.resourceVersion),
      ...(o.deletedAt !== undefined ? { deletionTimestamp: new Date(o.deletedAt).toISOString() } : {}) };
    let status: any;
    switch (o.kind) {
      case 'CustomResourceDefinition': status = { conditions: [cond('NamesAccepted', true), cond('Established')] }; break;
      case 'Deployment': status = { conditions: [cond('Available'), cond('Progressing', true)], readyReplicas: ready ? (o.body.spec?.replicas ?? 1) : 0 }; break;
      case 'Certificate': case 'Issuer': case 'ClusterIssuer': case 'InferenceService': status = { conditions: [cond('Ready')] }; break;
      case 'Gateway': status = { conditions: [cond('Accepted'), cond('Programmed')] }; break;
      case 'HTTPRoute': status = { parents: (o.body.spec?.parentRefs ?? []).map((p: any) => ({ parentRef: p, conditions: [cond('Accepted'), cond('ResolvedRefs')] })) }; break;
      case 'AgentgatewayPolicy': status = { ancestors: ready ? (o.body.spec?.targetRefs ?? []).map((r: any) => ({ ancestorRef: r, conditions: [cond('Accepted'), cond('Attached')] })) : [] }; break;
      case 'Namespace': status = { phase: o.deletedAt !== undefined ? 'Terminating' : 'Active' }; break;
    }
    return { ...o.body, metadata, ...(status ? { status } : {}) };
  }

  /** The EndpointSlices the endpoint controller keeps for Services with a selector, as `kubectl get` shows them. */
  endpointSlices(namespace: string): any[] {
    return this.live().filter(s => s.kind === 'Service' && s.group === '' && s.namespace === namespace && s.body.spec?.selector).map(s => ({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: `${s.name}-double`, namespace, labels: { 'kubernetes.io/service-name': s.name } },
      addressType: 'IPv4',
      ...(this.now >= this.serviceReadyAt({ namespace, name: s.name }) ? { endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }] } : {}),
    }));
  }

  /** The next instant something here may change (for waits to sleep until). */
  nextChange(): number {
    const times = this.live().flatMap(o => [this.readyAt(o), this.goneAt(o)]).filter(t => t > this.now && Number.isFinite(t));
    return Math.min(Infinity, ...times);
  }
}

function ruleMatches(r: any, obj: { group: string; version: string; plural: string; namespaced: boolean }, operation: string, matchPolicy: string): boolean {
  const any = (list: string[] | undefined, v: string) => (list ?? []).some(x => x === '*' || x === v);
  if (!any(r.operations, operation) || !any(r.apiGroups, obj.group)) return false;
  // Equivalent (the default) sends a request for any version of a matched resource through the webhook.
  if (matchPolicy === 'Exact' && !any(r.apiVersions, obj.version)) return false;
  if (!(r.resources ?? []).some((x: string) => x === '*' || x === '*/*' || x === obj.plural)) return false;
  const scope = r.scope ?? '*';
  return scope === '*' || (scope === 'Namespaced') === obj.namespaced;
}

/** A metav1.LabelSelector against labels. */
export function selectorMatches(sel: any, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const ok = e.operator === 'In' ? has && e.values.includes(labels[e.key])
      : e.operator === 'NotIn' ? !has || !e.values.includes(labels[e.key])
        : e.operator === 'Exists' ? has : e.operator === 'DoesNotExist' ? !has : false;
    if (!ok) return false;
  }
  return true;
}
