/**
 * The end-to-end test of per-tenant budgets: a request without a key is refused (401); a second tenant answers
 * 200; spending the first tenant's budget turns only the first tenant's requests into 429, while the second
 * tenant still gets 200. An endpoint that limits everyone together (one shared bucket) fails it.
 *
 * Kept free of kubectl and of dist/ (see `lib/cli/tenant-smoke.ts`) so it can be tested against local servers.
 */
import * as http from 'http';
import * as https from 'https';

/** A tenant's key, as the smoke test uses it. */
export interface SmokeTenant {
  /** The tenant's name, for the log. */
  readonly tenant: string;
  /** Its API key (sent as `Authorization: Bearer <key>`). */
  readonly key: string;
}

export interface TenantSmokeOptions {
  /** Base URL of the gateway, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** Host header (the route's hostname). @default - the URL's host */
  readonly host?: string;
  /** Request path. @default '/llm/chat/completions' */
  readonly path?: string;
  /** `model` of the request. @default 'mock-llm' */
  readonly model?: string;
  /** The tenant whose budget is spent. */
  readonly spender: SmokeTenant;
  /** Another tenant (on any tier), who must keep getting 200. */
  readonly bystander: SmokeTenant;
  /** The spender's budget in tokens per window (its tier's). */
  readonly spenderBudget: number;
  /** Most requests to send while spending. @default - enough to spend the budget, plus slack */
  readonly requests?: number;
  /** Extra requests allowed beyond the computed limit. @default 2 */
  readonly slack?: number;
  /** Timeout of each request. @default 10000 */
  readonly timeoutMs?: number;
  /** One line per request and the verdict. @default - discarded */
  readonly log?: (line: string) => void;
}

export interface TenantSmokeResult {
  readonly ok: boolean;
  /** `PASS: ...` or `FAIL: ...`. */
  readonly verdict: string;
}

interface Reply { readonly status: number; readonly tokens?: number }

/** Runs the checks; never throws for what the endpoint does: every outcome is a verdict. */
export async function runTenantSmoke(o: TenantSmokeOptions): Promise<TenantSmokeResult> {
  const log = o.log ?? (() => undefined);
  const finish = (ok: boolean, verdict: string): TenantSmokeResult => {
    log(verdict);
    return { ok, verdict };
  };
  let target: URL;
  try {
    const base = new URL(o.url);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error(`unsupported protocol ${base.protocol}`);
    target = new URL(base.href);
    target.pathname = base.pathname.replace(/\/+$/, '') + (o.path ?? '/llm/chat/completions').replace(/^\/?/, '/');
  } catch (e: any) {
    return finish(false, `FAIL: bad URL ${o.url}: ${e.message}`);
  }
  if (o.spender.key === o.bystander.key) return finish(false, 'FAIL: the two keys are the same: pass keys of two different tenants');
  const body = JSON.stringify({ model: o.model ?? 'mock-llm', messages: [{ role: 'user', content: 'Hello' }] });
  const agent = target.protocol === 'https:' ? new https.Agent({ keepAlive: true, servername: o.host }) : new http.Agent({ keepAlive: true });
  const send = (key: string | undefined) => post(target, o.host, key, body, o.timeoutMs ?? 10_000, agent);
  const a = o.spender;
  const b = o.bystander;
  try {
    // 1. No key: the gateway must refuse before any model or budget is involved.
    const anonymous = await send(undefined);
    log(`  no key         ${anonymous.status}`);
    if (anonymous.status !== 401) return finish(false, `FAIL: a request without an API key answered ${anonymous.status}, not 401: the route is not protected by API-key authentication`);

    // 2. The bystander works before anything is spent.
    const before = await send(b.key);
    log(`  ${b.tenant.padEnd(12)}   ${before.status}${before.tokens ? `  ${before.tokens} tokens` : ''}`);
    if (before.status !== 200) return finish(false, `FAIL: tenant ${b.tenant} answered ${before.status} before any budget was spent${before.status === 401 ? ': its key is unknown to the gateway (revoked, or dist/ not applied?)' : before.status === 429 ? ': its budget is already spent (an earlier run in this window?)' : ''}`);

    // 3. Spend the spender's budget, one request after another.
    let perRequest: number | undefined;
    let limitedAt: number | undefined;
    let spent = 0;
    let max = o.requests;
    for (let n = 1; max === undefined || n <= max; n++) {
      const r = await send(a.key);
      if (r.status === 200 && r.tokens === undefined) return finish(false, `FAIL: tenant ${a.tenant}'s request #${n} answered 200 without usage.total_tokens: no token budget can apply`);
      if (r.status === 200) {
        spent += r.tokens!;
        perRequest ??= r.tokens!;
        max ??= Math.ceil(o.spenderBudget / perRequest) + (o.slack ?? 2);
        log(`  ${a.tenant.padEnd(12)} #${n} 200  ${r.tokens} tokens (${spent} of ${o.spenderBudget})`);
        continue;
      }
      log(`  ${a.tenant.padEnd(12)} #${n} ${r.status}`);
      if (r.status === 429) {
        limitedAt = n;
        break;
      }
      return finish(false, `FAIL: tenant ${a.tenant}'s request #${n} answered ${r.status}${n === 1 && r.status === 401 ? ': its key is unknown to the gateway' : ''}`);
    }
    if (limitedAt === undefined) return finish(false, `FAIL: tenant ${a.tenant} spent ${spent} tokens without a 429: its budget of ${o.spenderBudget} is not enforced`);
    if (limitedAt === 1) return finish(false, `FAIL: tenant ${a.tenant}'s first request answered 429: its budget was already spent (an earlier run in this window?)`);

    // 4. The bystander must be unaffected: a shared bucket would refuse it now too.
    const after = await send(b.key);
    log(`  ${b.tenant.padEnd(12)}   ${after.status}  (after ${a.tenant} was limited)`);
    if (after.status === 429) return finish(false, `FAIL: tenant ${b.tenant} got 429 once tenant ${a.tenant} had spent its budget: the endpoint limits tenants together, not per tenant`);
    if (after.status !== 200) return finish(false, `FAIL: tenant ${b.tenant} answered ${after.status} after tenant ${a.tenant} was limited`);
    return finish(true, `PASS: no key -> 401; tenant ${a.tenant} limited (429) after ${limitedAt - 1} requests and ${spent} tokens of ${o.spenderBudget}; tenant ${b.tenant} still 200`);
  } catch (e: any) {
    return finish(false, `FAIL: no response from ${target.href}${o.host ? ` (Host: ${o.host})` : ''}: ${e.message}`);
  } finally {
    agent.destroy();
  }
}

/** One chat completion. Node's `http`, as in smoke.ts: fetch cannot set `Host`, and the gateway routes by it. */
function post(url: URL, host: string | undefined, key: string | undefined, body: string, timeoutMs: number, agent: http.Agent): Promise<Reply> {
  const lib = url.protocol === 'https:' ? https : http;
  const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Accept': 'application/json' };
  if (host) headers.Host = host;
  if (key) headers.Authorization = `Bearer ${key}`;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method: 'POST', headers, agent }, res => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= 1 << 20) chunks.push(c);
      });
      res.on('end', () => {
        clearTimeout(timer);
        let tokens: number | undefined;
        try {
          const t = res.statusCode === 200 ? JSON.parse(Buffer.concat(chunks).toString('utf8'))?.usage?.total_tokens : undefined;
          tokens = typeof t === 'number' && t > 0 ? t : undefined;
        } catch {
          tokens = undefined;
        }
        resolve({ status: res.statusCode ?? 0, tokens });
      });
      res.on('error', fail);
    });
    const timer = setTimeout(() => req.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    function fail(e: Error) {
      clearTimeout(timer);
      reject(e);
    }
    req.on('error', fail);
    req.end(body);
  });
}
