/**
 * The API server as judge: the request `kubectl apply --server-side --dry-run=server` sends (a PATCH of type
 * application/apply-patch+yaml with dryRun=All, fieldManager=kubectl, fieldValidation=Strict, force=false, to the
 * resource discovery names), over one kept-alive TLS connection pool, and the field paths its refusal names.
 * The differential test checks this judge against kubectl itself on a sample of the cases.
 *
 * Dev and test tooling: the library never imports this file.
 */
import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';

/** What the server said about one object. */
export interface ServerVerdict {
  readonly accepted: boolean;
  /** HTTP status (200 or 201 when accepted). */
  readonly status: number;
  /** The refusal's message; empty when accepted. */
  readonly message: string;
  /** The field paths the refusal names, as segment lists resolved against the object (keyed list entries become indexes). */
  readonly paths: (string | number)[][];
}

interface Resource {
  readonly name: string;
  readonly namespaced: boolean;
}

/** A client for one control plane: its URL and the directory of its certificates (ca.crt, admin.crt, admin.key). */
export class ApiServer {
  private readonly agent: https.Agent;
  private readonly groups = new Map<string, Promise<Map<string, Resource>>>();

  constructor(private readonly server: string, pki: string, concurrency = 4) {
    this.agent = new https.Agent({
      keepAlive: true, maxSockets: concurrency,
      ca: fs.readFileSync(path.join(pki, 'ca.crt')), cert: fs.readFileSync(path.join(pki, 'admin.crt')), key: fs.readFileSync(path.join(pki, 'admin.key')),
    });
  }

  /** Closes the kept-alive connections. */
  public close(): void {
    this.agent.destroy();
  }

  public async request(method: string, urlPath: string, body?: string, contentType = 'application/json'): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = https.request(`${this.server}${urlPath}`, {
        method, agent: this.agent, timeout: 60_000,
        headers: { Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) } : {}) },
      }, res => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: no answer in 60 s`)));
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /** The resource of a kind, from discovery (as kubectl's REST mapper finds it); undefined when the server has none. */
  public async resourceOf(apiVersion: string, kind: string): Promise<Resource | undefined> {
    let pending = this.groups.get(apiVersion);
    if (!pending) {
      pending = this.request('GET', apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`).then(r => {
        const byKind = new Map<string, Resource>();
        if (r.status !== 200) return byKind;
        for (const res of JSON.parse(r.body).resources ?? []) {
          if (!String(res.name).includes('/')) byKind.set(res.kind, { name: res.name, namespaced: res.namespaced });
        }
        return byKind;
      });
      this.groups.set(apiVersion, pending);
    }
    return (await pending).get(kind);
  }

  /** `kubectl apply --server-side --dry-run=server` of one object (namespaced objects without a namespace go to `default`). */
  public async dryRunApply(object: any): Promise<ServerVerdict> {
    const apiVersion = String(object?.apiVersion);
    const kind = String(object?.kind);
    const resource = await this.resourceOf(apiVersion, kind);
    if (!resource) return { accepted: false, status: 0, message: `no matches for kind "${kind}" in version "${apiVersion}"`, paths: [] };
    const ns = resource.namespaced ? object?.metadata?.namespace ?? 'default' : undefined;
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const url = `${base}/${ns ? `namespaces/${encodeURIComponent(ns)}/` : ''}${resource.name}/${encodeURIComponent(String(object?.metadata?.name ?? ''))}` +
      '?dryRun=All&fieldManager=kubectl&fieldValidation=Strict&force=false';
    const r = await this.request('PATCH', url, JSON.stringify(object), 'application/apply-patch+yaml');
    if (r.status === 200 || r.status === 201) return { accepted: true, status: r.status, message: '', paths: [] };
    let status: any;
    try {
      status = JSON.parse(r.body);
    } catch {
      status = { message: r.body };
    }
    const message = String(status?.message ?? '');
    return { accepted: false, status: r.status, message, paths: refusalPaths(status, object) };
  }
}

/** The field paths a refusal (a metav1.Status) names, resolved against the object that was sent. */
export function refusalPaths(status: any, object: any): (string | number)[][] {
  const raw: string[] = [];
  const causes = Array.isArray(status?.details?.causes) ? status.details.causes : [];
  // A cause without a field (`<nil>`: "some validation rules were not checked") names no path.
  for (const c of causes) if (typeof c?.field === 'string' && c.field && c.field !== '<nil>') raw.push(c.field);
  const message = String(status?.message ?? '');
  if (raw.length === 0) {
    // structured-merge-diff (server-side apply's typed patch): "...Kind=X): .spec.a[0].b: message", one per line.
    const body = message.replace(/^[^]*?Kind=[A-Za-z0-9]+\): /, '');
    for (const m of body.matchAll(/(?:^|\n)\s*(?:errors:\s*)?(\.[^\s:]*(?:\[[^\]]*\][^\s:]*)*): /g)) raw.push(m[1]);
    // strict decoding: unknown field "spec.x" / duplicate field "spec.x"
    for (const m of message.matchAll(/(?:unknown|duplicate) field "([^"]+)"/g)) raw.push(m[1]);
    // json decoding: "... Go struct field DeploymentSpec.spec.replicas of type int32"
    for (const m of message.matchAll(/Go struct field [A-Za-z0-9_]+\.([^\s]+) of type/g)) raw.push(m[1]);
  }
  return [...new Set(raw)].map(p => resolvePath(p, object));
}

/**
 * A server path (`spec.a[0].b`, `metadata.labels[example.com/x]`, or structured-merge-diff's `.spec.c[name="x"].d`)
 * as segments, with keyed list entries turned into indexes and dotted map keys kept whole, by walking the object.
 */
export function resolvePath(text: string, object: any): (string | number)[] {
  const out: (string | number)[] = [];
  let rest = text.startsWith('.') ? text.slice(1) : text;
  let node = object;
  while (rest.length > 0) {
    if (rest.startsWith('[')) {
      const end = closingBracket(rest);
      const inner = rest.slice(1, end);
      rest = rest.slice(end + 1);
      if (Array.isArray(node) || (node === undefined && /^\d+$/.test(inner))) {
        const index = /^\d+$/.test(inner) ? Number(inner) : keyedIndex(node, inner);
        out.push(index);
        node = node?.[index];
      } else {
        out.push(inner);
        node = node?.[inner];
      }
    } else {
      if (rest.startsWith('.')) rest = rest.slice(1);
      // The longest key of the node that the rest starts with, so `example.com/tier` stays one key.
      const keys = node && typeof node === 'object' && !Array.isArray(node) ? Object.keys(node).filter(k => rest.startsWith(k) && /^$|^[.[]/.test(rest.slice(k.length))) : [];
      const key = keys.sort((a, b) => b.length - a.length)[0] ?? rest.match(/^[^.[]*/)![0];
      out.push(key);
      node = node?.[key];
      rest = rest.slice(key.length);
    }
  }
  return out;
}

function closingBracket(s: string): number {
  let quoted = false;
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '"' && s[i - 1] !== '\\') quoted = !quoted;
    else if (s[i] === ']' && !quoted) return i;
  }
  return s.length - 1;
}

/** The index of a structured-merge-diff key (`name="x",port=80`) or set value (`="x"`) in a list; -1 if none. */
function keyedIndex(list: any[], inner: string): number {
  if (inner.startsWith('=')) {
    const want = safeJson(inner.slice(1));
    return list.findIndex(v => JSON.stringify(v) === JSON.stringify(want));
  }
  const pairs = [...inner.matchAll(/([A-Za-z0-9_]+)=("(?:[^"\\]|\\.)*"|[^,]*)/g)].map(m => [m[1], safeJson(m[2])] as const);
  const exact = list.findIndex(v => pairs.every(([k, want]) => JSON.stringify(v?.[k]) === JSON.stringify(want)));
  // A key the item leaves out is its schema default on the server's side (a Service port's protocol "TCP").
  return exact >= 0 ? exact : list.findIndex(v => pairs.every(([k, want]) => v?.[k] === undefined || JSON.stringify(v[k]) === JSON.stringify(want)));
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}
