/**
 * A kubectl double backed by a fresh, fake API server whose state lives in `$KUBE_DOUBLE_STATE` (a directory):
 * run through the same `$KUBECTL` seam as the real kubectl, it refuses what a fresh cluster refuses. See
 * `cluster.ts` for the model. Supports `apply` (server-side and client-side), `wait`, `delete` and `get`, with
 * the flags the tools here use; any other flag is refused, as kubectl refuses unknown flags.
 *
 * Environment: KUBE_DOUBLE_STATE (required), KUBE_DOUBLE_DELAY_MS (controller latency, default 30),
 * KUBE_DOUBLE_CACHE (where parsed manifests are cached by content hash), KUBE_DOUBLE_HANG (a regular expression:
 * a call whose arguments match never returns, like a kubectl stuck on an unresponsive API server),
 * A test can move the cluster's clock on by writing milliseconds to `clock-offset-ms` in the state directory.
 * KUBE_DOUBLE_CONTEXTS (comma-separated contexts the kubeconfig has; `--context` naming another is refused).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Cluster, keyOf, loadState, saveState, State, Stored } from './cluster';
import { Doc, duration, KubectlError, parse, Parsed, readDocs } from './input';

const typeName = (kind: string, group: string) => `${kind.toLowerCase()}${group ? `.${group}` : ''}`;
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

class Session {
  readonly out: string[] = [];
  readonly errors: string[] = [];
  constructor(readonly dir: string, readonly state: State, readonly delay: number) {}
  /** The cluster's clock: real time, plus what a test moved it on by (`clock-offset-ms` in the state directory). */
  now(): number {
    try { return Date.now() + Number(fs.readFileSync(path.join(this.dir, 'clock-offset-ms'), 'utf8')); } catch { return Date.now(); }
  }
  cluster(): Cluster { return new Cluster(this.state, this.now(), this.delay); }
  journal(line: string): void { fs.appendFileSync(path.join(this.dir, 'journal.log'), `${line}\n`); }
}

function apply(s: Session, p: Parsed): void {
  if (!p.flags.filename) throw new KubectlError('must specify one of -f and -k');
  const serverSide = p.flags['server-side'] === 'true';
  const manager = p.flags['field-manager'] ?? (serverSide ? 'kubectl' : 'kubectl-client-side-apply');
  const docs = readDocs(p.flags.filename);
  // kubectl maps every object (discovery, as it is now) before it applies any: a CRD applied in this same call
  // does not make its kind known to the objects after it.
  const mapper = s.cluster();
  const mapped: { doc: Doc; type: NonNullable<ReturnType<Cluster['typeFor']>> }[] = [];
  for (const doc of docs) {
    const { apiVersion, kind, metadata } = doc.obj;
    const type = mapper.typeFor(apiVersion, kind);
    if (!type) {
      s.errors.push(`resource mapping not found for name: "${metadata?.name}" namespace: "${metadata?.namespace ?? ''}" from "${doc.source}": ` +
        `no matches for kind "${kind}" in version "${apiVersion}"\nensure CRDs are installed first`);
    } else mapped.push({ doc, type });
  }
  for (const { doc, type } of mapped) {
    const c = s.cluster();
    const name: string = doc.obj.metadata?.name;
    const namespace = type.namespaced ? doc.obj.metadata?.namespace ?? p.flags.namespace ?? 'default' : undefined;
    if (namespace !== undefined) {
      const ns = c.get('', 'namespaces', undefined, namespace);
      if (!ns) { s.errors.push(`Error from server (NotFound): namespaces "${namespace}" not found`); continue; }
    }
    const key = keyOf(type.group, type.plural, namespace, name);
    const existing = c.get(type.group, type.plural, namespace, name);
    if (!existing && namespace !== undefined && c.get('', 'namespaces', undefined, namespace)!.deletedAt !== undefined) {
      s.errors.push(`Error from server (Forbidden): ${type.plural} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`);
      continue;
    }
    const version = doc.obj.apiVersion.split('/').pop();
    const denied = c.admissionError({ group: type.group, version, plural: type.plural, namespaced: type.namespaced, namespace, name, labels: doc.obj.metadata?.labels }, existing ? 'UPDATE' : 'CREATE');
    if (denied) { s.errors.push(denied); continue; }
    const shown = `${typeName(type.kind, type.group)}/${name}`;
    if (existing && existing.manager !== manager && existing.hash !== doc.hash && p.flags['force-conflicts'] !== 'true') {
      s.errors.push(`error: Apply failed with 1 conflict: conflict with "${existing.manager}": .spec\nPlease review the fields above--they currently have other managers.`);
      continue;
    }
    if (existing && existing.hash === doc.hash && existing.manager === manager) {
      s.journal(`unchanged ${shown}`);
    } else {
      const rec: Stored = { group: type.group, version, kind: type.kind, plural: type.plural, namespaced: type.namespaced, name, namespace,
        body: doc.obj, hash: doc.hash, manager, resourceVersion: ++s.state.rv, createdAt: existing?.createdAt ?? s.now(), deletedAt: existing?.deletedAt };
      s.state.objects[key] = rec;
      s.journal(`${existing ? 'configured' : 'created'} ${shown}`);
    }
    s.out.push(`${shown} ${serverSide ? 'serverside-applied' : existing ? (existing.hash === doc.hash ? 'unchanged' : 'configured') : 'created'}`);
  }
}

function del(s: Session, p: Parsed): Promise<void> | void {
  const c = s.cluster();
  const targets: { group: string; plural: string; kind: string; namespace?: string; name: string; version: string; namespaced: boolean; labels?: any }[] = [];
  if (p.flags.filename) {
    for (const doc of readDocs(p.flags.filename)) {
      const type = c.typeFor(doc.obj.apiVersion, doc.obj.kind);
      if (!type) {
        s.errors.push(`resource mapping not found for name: "${doc.obj.metadata?.name}" namespace: "${doc.obj.metadata?.namespace ?? ''}" from "${doc.source}": ` +
          `no matches for kind "${doc.obj.kind}" in version "${doc.obj.apiVersion}"\nensure CRDs are installed first`);
        continue;
      }
      targets.push({ ...type, version: doc.obj.apiVersion.split('/').pop(), name: doc.obj.metadata?.name, labels: doc.obj.metadata?.labels,
        namespace: type.namespaced ? doc.obj.metadata?.namespace ?? p.flags.namespace ?? 'default' : undefined });
    }
  } else {
    for (const arg of p.positional) {
      const [res, name] = arg.split('/');
      const type = c.typeForArg(res);
      if (!type || !name) throw new KubectlError(`the server doesn't have a resource type "${res}"`);
      targets.push({ ...type, version: type.versions[0], name, namespace: type.namespaced ? p.flags.namespace ?? 'default' : undefined });
    }
  }
  const now = s.now();
  const deleted: Stored[] = [];
  for (const t of targets) {
    const o = c.get(t.group, t.plural, t.namespace, t.name);
    if (!o) {
      if (p.flags['ignore-not-found'] !== 'true') s.errors.push(`Error from server (NotFound): ${t.plural}${t.group ? `.${t.group}` : ''} "${t.name}" not found`);
      continue;
    }
    const denied = c.admissionError({ ...t, labels: o.body.metadata?.labels }, 'DELETE');
    if (denied) { s.errors.push(denied); continue; }
    if (o.deletedAt === undefined) {
      o.deletedAt = now;
      // The namespace controller deletes a namespace's content; deleting a CRD deletes every object of its kind.
      for (const x of c.live()) {
        const inNs = o.kind === 'Namespace' && o.group === '' && x.namespace === o.name;
        const ofCrd = o.kind === 'CustomResourceDefinition' && x.group === o.body.spec.group && x.kind === o.body.spec.names.kind;
        if ((inNs || ofCrd) && x.deletedAt === undefined) {
          x.deletedAt = now;
          s.journal(`deleted ${typeName(x.kind, x.group)}/${x.name}`);
        }
      }
      s.journal(`deleted ${typeName(o.kind, o.group)}/${o.name}`);
    }
    deleted.push(o);
    s.out.push(`${typeName(o.kind, o.group)} "${o.name}" deleted`);
  }
  if ((p.flags.wait ?? 'true') === 'true' && deleted.length > 0) {
    // kubectl delete's --timeout=0 (the default) means "derived from the object": effectively no limit here.
    const timeout = p.flags.timeout ? duration(p.flags.timeout) || Infinity : Infinity;
    return waitUntil(s, timeout, cl => deleted.every(o => !cl.get(o.group, o.plural, o.namespace, o.name)), () => `timed out waiting for the condition on ${deleted[0].plural}/${deleted[0].name}`);
  }
}

/** Polls the model until `done`; a timeout of 0 checks once (as `kubectl wait --timeout=0`), Infinity never gives up. */
async function waitUntil(s: Session, timeoutMs: number, done: (c: Cluster) => boolean, why: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = s.cluster();
    if (done(c)) return;
    if (Date.now() >= deadline) throw new KubectlError(why());
    // Cluster time runs ahead of real time by the clock offset; sleep in real time, at most 100 ms (a test may move the clock).
    await sleep(Math.max(1, Math.min(c.nextChange() - c.now + Date.now(), deadline, Date.now() + 100) - Date.now()));
  }
}

/** A jsonpath of the forms kubectl wait is given here: `{.a.b[0].c[?(@.type=="X")].status}`. */
function jsonpath(obj: any, expr: string): any {
  const body = /^\{(.*)\}$/.exec(expr)?.[1];
  if (body === undefined) throw new KubectlError(`unexpected path string, expected a {...}: ${expr}`);
  let cur: any[] = [obj];
  for (const [, field, index, fk, fv] of body.matchAll(/\.([\w-]+)|\[(\d+)\]|\[\?\(@\.([\w-]+)=="([^"]*)"\)\]/g)) {
    cur = cur.flatMap(v => (field !== undefined ? (v?.[field] !== undefined ? [v[field]] : [])
      : index !== undefined ? (Array.isArray(v) && v[Number(index)] !== undefined ? [v[Number(index)]] : [])
        : Array.isArray(v) ? v.filter(x => String(x?.[fk]) === fv) : []));
  }
  return cur.length > 0 ? cur[0] : undefined;
}

async function wait(s: Session, p: Parsed): Promise<void> {
  const forArg = p.flags.for;
  if (!forArg) throw new KubectlError('--for must be specified');
  const timeout = p.flags.timeout !== undefined ? duration(p.flags.timeout) : 30_000;
  const first = s.cluster();
  // What to watch: `type/name ...`, or one type with `-l`.
  const find: ((c: Cluster) => any[])[] = [];
  for (const arg of p.positional) {
    const [res, name] = arg.split('/');
    const type = first.typeForArg(res);
    if (!type) throw new KubectlError(`the server doesn't have a resource type "${res}"`);
    const ns = type.namespaced ? p.flags.namespace ?? 'default' : undefined;
    if (type.group === 'discovery.k8s.io' && type.plural === 'endpointslices') {
      if (!p.flags.selector) throw new KubectlError('resource(s) were provided, but no name was specified');
      const sel = Object.fromEntries(p.flags.selector.split(',').map(kv => kv.split('=')));
      find.push(c => c.endpointSlices(ns!).filter(e => Object.entries(sel).every(([k, v]) => e.metadata.labels[k] === v)));
      continue;
    }
    if (!name && p.flags.all === 'true') {
      find.push(c => c.live().filter(o => o.group === type.group && o.plural === type.plural && o.namespace === ns).map(o => c.view(o)));
      continue;
    }
    if (!name) throw new KubectlError('resource(s) were provided, but no name was specified');
    find.push(c => { const o = c.get(type.group, type.plural, ns, name); return o ? [c.view(o)] : []; });
    if (forArg !== 'delete' && !first.get(type.group, type.plural, ns, name)) {
      throw new KubectlError(`Error from server (NotFound): ${type.plural}${type.group ? `.${type.group}` : ''} "${name}" not found`);
    }
  }
  if (find.length === 0) throw new KubectlError('resource(s) were provided, but no name was specified');
  const objects = (c: Cluster) => find.flatMap(f => f(c));
  if (forArg !== 'delete' && objects(first).length === 0) throw new KubectlError('no matching resources found');
  const met = (o: any): boolean => {
    if (forArg === 'delete') return false;
    const cm = /^condition=([^=]+)(?:=(.*))?$/.exec(forArg);
    if (cm) return (o.status?.conditions ?? []).some((x: any) => x.type === cm[1] && String(x.status).toLowerCase() === (cm[2] ?? 'true').toLowerCase());
    const jm = /^jsonpath=(\{.*\})(?:=(.*))?$/.exec(forArg);
    if (!jm) throw new KubectlError(`unrecognized condition: "${forArg}"`);
    const v = jsonpath(o, jm[1]);
    return jm[2] === undefined ? v !== undefined : v !== undefined && String(v) === jm[2];
  };
  await waitUntil(s, timeout, c => (forArg === 'delete' ? objects(c).length === 0 : objects(c).every(met)), () => {
    const pending = objects(s.cluster()).find(o => !met(o));
    return `timed out waiting for the condition on ${pending ? `${pending.kind.toLowerCase()}s/${pending.metadata.name}` : 'resources'}`;
  });
  for (const o of objects(first)) s.out.push(`${typeName(o.kind, (o.apiVersion.split('/').length > 1 ? o.apiVersion.split('/')[0] : ''))}/${o.metadata.name} condition met`);
}

function get(s: Session, p: Parsed): void {
  const c = s.cluster();
  const [res, name] = (p.positional[0] ?? '').split('/');
  const type = c.typeForArg(res);
  if (!type) throw new KubectlError(`the server doesn't have a resource type "${res}"`);
  const ns = type.namespaced ? p.flags.namespace ?? 'default' : undefined;
  const names = name ? [name] : p.positional.slice(1);
  const items = names.length > 0
    ? names.map(n => { const o = c.get(type.group, type.plural, ns, n); if (!o) throw new KubectlError(`Error from server (NotFound): ${type.plural} "${n}" not found`); return c.view(o); })
    : c.live().filter(o => o.group === type.group && o.plural === type.plural && o.namespace === ns).map(o => c.view(o));
  s.out.push(JSON.stringify(items.length === 1 && names.length === 1 ? items[0] : { apiVersion: 'v1', kind: 'List', items }, null, 2));
}

async function main(argv: string[]): Promise<number> {
  const hang = process.env.KUBE_DOUBLE_HANG;
  if (hang && new RegExp(hang).test(argv.join(' '))) {
    await new Promise(() => setInterval(() => undefined, 60_000));
  }
  const contexts = process.env.KUBE_DOUBLE_CONTEXTS?.split(',');
  const ci = argv.findIndex(a => a === '--context' || a.startsWith('--context='));
  if (ci >= 0) {
    const context = argv[ci].includes('=') ? argv[ci].split('=')[1] : argv[ci + 1];
    if (contexts && !contexts.includes(context)) { process.stderr.write(`error: context "${context}" does not exist\n`); return 1; }
  }
  const dir = process.env.KUBE_DOUBLE_STATE;
  if (!dir) { process.stderr.write('error: KUBE_DOUBLE_STATE is not set (the double has no cluster)\n'); return 1; }
  const s = new Session(dir, loadState(dir), Number(process.env.KUBE_DOUBLE_DELAY_MS ?? 30));
  try {
    const p = parse(argv);
    switch (p.verb) {
      case 'apply': apply(s, p); break;
      case 'delete': await del(s, p); break;
      case 'wait': await wait(s, p); break;
      case 'get': get(s, p); break;
      default: throw new KubectlError(`unknown command "${p.verb}" for "kubectl"`);
    }
  } catch (e: any) {
    if (!(e instanceof KubectlError)) throw e;
    s.errors.push(e.message.startsWith('Error from server') ? e.message : `error: ${e.message}`);
  } finally {
    if (s.out.length) process.stdout.write(`${s.out.join('\n')}\n`);
    if (argv.includes('apply') || argv.includes('delete')) saveState(dir, s.state, s.now(), s.delay);
  }
  if (s.errors.length === 0) return 0;
  process.stderr.write(`${s.errors.map(e => (/^(error|Error from server)/.test(e) ? e : `error: ${e}`)).join('\n')}\n`);
  return 1;
}

main(process.argv.slice(2)).then(code => process.exit(code), e => { process.stderr.write(`kubectl double crashed: ${e.stack}\n`); process.exit(2); });
