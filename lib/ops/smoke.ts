/**
 * The guide's end-to-end test of a token budget, as code: one request proves the route answers and that agentgateway
 * can count the tokens of a response; a burst then proves the budget is enforced, i.e. that a `429` arrives no later
 * than the budget allows.
 *
 * Kept free of kubectl and of dist/ (see `lib/cli/smoke.ts` for those) so it can be tested against local servers.
 */
import * as http from 'http';
import * as https from 'https';

export interface SmokeOptions {
  /** Base URL of the gateway, e.g. `http://127.0.0.1:8080` (a port-forward). */
  readonly url: string;
  /** Host header: the route's hostname, as the gateway matches routes by it. @default - the URL's host */
  readonly host?: string;
  /** Request path. @default '/llm/chat/completions' */
  readonly path?: string;
  /** `model` of the chat-completions request. @default 'mock-llm' */
  readonly model?: string;
  /** Burst size, after the first request. @default 30 */
  readonly requests?: number;
  /**
   * Tokens per window of the policy under test.
   * @default - no budget: the route must answer the first request with 200, and no burst is sent
   */
  readonly budgetTokens?: number;
  /** Extra requests allowed beyond the computed limit, for the bucket refilling during the burst. @default 2 */
  readonly slack?: number;
  /** Timeout of each request. @default 10000 */
  readonly timeoutMs?: number;
  /**
   * Largest response body read, in bytes: past it the rest is drained unread and the verdict says so, so memory
   * stays bounded whatever the server sends. @default 67108864 (64 MiB; a chat completion is a few KiB)
   */
  readonly maxBodyBytes?: number;
  /** Receives one line per request and the verdict. @default - discarded */
  readonly log?: (line: string) => void;
}

export interface SmokeResult {
  readonly ok: boolean;
  /** `PASS: ...` or `FAIL: ...`, also the last line logged. */
  readonly verdict: string;
  /** Status of each request in order, the first request included; 0 for a request that got no response. */
  readonly statuses: number[];
  /** 1-based number of the first request answered 429, counted from the first request. */
  readonly firstLimitedAt?: number;
}

export const SMOKE_DEFAULTS = {
  path: '/llm/chat/completions',
  model: 'mock-llm',
  requests: 30,
  slack: 2,
  timeoutMs: 10_000,
  maxBodyBytes: 64 << 20,
} as const;

interface Reply {
  readonly status: number;
  /** `usage.total_tokens` when the body is JSON carrying a positive number there. */
  readonly tokens?: number;
  /** Why a 200 has no `tokens`, in words: `has no usage.total_tokens`, `is not valid JSON (...)`, ... */
  readonly problem?: string;
}

/**
 * Sends the first request, then the burst, and judges the budget. Never throws for what the server does (or fails
 * to do): every outcome is a verdict.
 */
export async function runSmoke(o: SmokeOptions): Promise<SmokeResult> {
  const log = o.log ?? (() => undefined);
  const requests = o.requests ?? SMOKE_DEFAULTS.requests;
  const slack = o.slack ?? SMOKE_DEFAULTS.slack;
  const statuses: number[] = [];
  /** `usage.total_tokens` of each request, parallel to `statuses`. */
  const tokens: (number | undefined)[] = [];
  const finish = (ok: boolean, verdict: string, firstLimitedAt?: number): SmokeResult => {
    log(verdict);
    return { ok, verdict, statuses, firstLimitedAt };
  };

  let base: URL;
  try {
    base = new URL(o.url);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error(`unsupported protocol ${base.protocol}`);
  } catch (e: any) {
    return finish(false, `FAIL: bad URL ${o.url}: ${e.message}`);
  }
  // Appended to the base URL's own path, if any (a gateway behind a path-routing proxy), rather than replacing it.
  const target = new URL(base.href);
  target.pathname = base.pathname.replace(/\/+$/, '') + (o.path ?? SMOKE_DEFAULTS.path).replace(/^\/?/, '/');
  const body = JSON.stringify({ model: o.model ?? SMOKE_DEFAULTS.model, messages: [{ role: 'user', content: 'Hello' }] });
  const client = new ChatClient(target, o.host, body, o.timeoutMs ?? SMOKE_DEFAULTS.timeoutMs, o.maxBodyBytes ?? SMOKE_DEFAULTS.maxBodyBytes);

  try {
    // 1. One request: does the route answer, and does the response carry the tokens the budget is charged with?
    let first: Reply;
    try {
      first = await client.send();
    } catch (e: any) {
      statuses.push(0);
      tokens.push(undefined);
      return finish(false, `FAIL: no response from ${target.href}${o.host ? ` (Host: ${o.host})` : ''}: ${e.message}`);
    }
    statuses.push(first.status);
    tokens.push(first.tokens);
    if (first.status !== 200) {
      return finish(false, `FAIL: the first request answered ${first.status}, not 200${firstStatusHint(first.status, o.host, o.budgetTokens !== undefined)}`);
    }
    if (o.budgetTokens === undefined) {
      return finish(true, `PASS: the route answered 200${first.tokens !== undefined ? ` (${first.tokens} tokens)` : ''}; no token budget to test, so no burst was sent`);
    }
    const budgetTokens = o.budgetTokens;
    if (first.tokens === undefined) {
      return finish(false, first.problem === NO_USAGE
        ? 'FAIL: response has no usage.total_tokens: agentgateway cannot count tokens, so no token budget can apply'
        : `FAIL: the first response ${first.problem}, so its usage.total_tokens could not be read`);
    }
    const perRequest = first.tokens;
    /** The most requests (the first one included) the budget lets through: one number for the verdict and its text. */
    const allowed = Math.ceil(budgetTokens / perRequest) + slack;
    let used = perRequest;
    log(`  #1  200  ${perRequest} tokens (${used} used of ${budgetTokens})`);

    // 2. The burst, one request after another: concurrency would let several requests in before any is charged.
    const failures: string[] = [];
    let firstLimitedAt: number | undefined;
    let refills = 0;
    for (let n = 2; n <= requests + 1; n++) {
      let reply: Reply;
      try {
        reply = await client.send();
      } catch (e: any) {
        // Every further request would likely wait out its timeout too: stop rather than hang for N × timeout.
        statuses.push(0);
        tokens.push(undefined);
        log(`  #${n}  ---  no response: ${e.message}`);
        failures.push(`request #${n} got no response (${e.message})`);
        break;
      }
      statuses.push(reply.status);
      tokens.push(reply.tokens);
      if (reply.status === 429) {
        firstLimitedAt ??= n;
        log(`  #${n}  429  rate limited`);
      } else if (reply.status === 200) {
        if (reply.tokens === undefined) {
          log(`  #${n}  200  response ${reply.problem}`);
          failures.push(`request #${n} answered 200, but the response ${reply.problem}`);
          continue;
        }
        used += reply.tokens;
        // After a 429, a 200 means the bucket refilled a little: expected with a per-minute window, only reported.
        const note = firstLimitedAt !== undefined ? ', after a 429: the bucket refilled' : '';
        if (firstLimitedAt !== undefined) refills++;
        log(`  #${n}  200  ${reply.tokens} tokens (${used} used of ${budgetTokens}${note})`);
      } else {
        log(`  #${n}  ${reply.status}  unexpected status`);
        failures.push(`request #${n} answered ${reply.status}`);
      }
    }

    const total = statuses.length;
    const limit = `each response used ${perRequest} tokens, so at most ${allowed} should pass`;
    if (failures.length > 0) {
      return finish(false, `FAIL: ${failures.join('; ')}`, firstLimitedAt);
    }
    if (firstLimitedAt === undefined && total <= allowed) {
      // Too few requests to exhaust the budget: the absence of a 429 proves nothing either way.
      return finish(false, `FAIL: inconclusive: no 429 in ${total} requests, but the token budget of ${budgetTokens} may let up to ${allowed} pass (${perRequest} tokens each): send a larger burst`);
    }
    if (firstLimitedAt === undefined) {
      return finish(false, `FAIL: no 429 in ${total} requests: the token budget of ${budgetTokens} is not enforced (${limit})`);
    }
    const answered = firstLimitedAt - 1;
    // No failure means every request before the first 429 answered 200 with its tokens.
    const tokensBefore = tokens.slice(0, answered).reduce<number>((s, t) => s + (t ?? 0), 0);
    if (answered > allowed) {
      return finish(false, `FAIL: ${answered} requests answered before the first 429 (at request #${firstLimitedAt}), more than the token budget of ${budgetTokens} allows (${limit})`, firstLimitedAt);
    }
    const refillNote = refills > 0 ? `; ${refills} later request${refills === 1 ? '' : 's'} answered 200 as the bucket refilled` : '';
    return finish(true, `PASS: ${answered} request${answered === 1 ? '' : 's'} answered (${tokensBefore} tokens), then 429 at request #${firstLimitedAt} (limit allows at most ${allowed})${refillNote}`, firstLimitedAt);
  } finally {
    client.close();
  }
}

/** What a non-200 first answer most likely means, so the verdict says what to look at. */
function firstStatusHint(status: number, host: string | undefined, budgeted: boolean): string {
  switch (status) {
    case 429: return budgeted ? ': the budget is already spent (an earlier run in this window?); wait for it to refill and retry' : ': a rate limit applies to the route';
    case 404: return `: no route matched${host ? ` Host ${host} and` : ''} the path`;
    default: return status >= 500 ? ': the gateway or the model server failed' : '';
  }
}

/**
 * POSTs the same chat completion each time. Node's `http` rather than fetch: undici forbids overriding `Host`, and
 * the gateway picks the route by it. One keep-alive agent per run, destroyed at the end, so no socket outlives it.
 */
class ChatClient {
  private readonly agent: http.Agent;

  constructor(private readonly url: URL, private readonly host: string | undefined, private readonly body: string,
    private readonly timeoutMs: number, private readonly maxBodyBytes: number) {
    this.agent = url.protocol === 'https:' ? new https.Agent({ keepAlive: true, servername: host }) : new http.Agent({ keepAlive: true });
  }

  send(): Promise<Reply> {
    const lib = this.url.protocol === 'https:' ? https : http;
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(this.body),
      'Accept': 'application/json',
    };
    if (this.host) headers.Host = this.host;
    return new Promise<Reply>((resolve, reject) => {
      const req = lib.request(this.url, { method: 'POST', headers, agent: this.agent }, res => {
        const chunks: Buffer[] = [];
        let size = 0;
        const max = this.maxBodyBytes;
        res.on('data', (c: Buffer) => {
          size += c.length;
          // Past the limit the body is drained unread (the connection stays usable); the reply says it was not read.
          if (size <= max) chunks.push(c);
        });
        res.on('end', () => {
          clearTimeout(timer);
          if (res.statusCode !== 200) return resolve({ status: res.statusCode ?? 0 });
          if (size > max) return resolve({ status: 200, problem: `body is larger than ${formatBytes(max)} (${formatBytes(size)}), where smoke stops reading` });
          resolve({ status: 200, ...totalTokens(Buffer.concat(chunks).toString('utf8')) });
        });
        res.on('error', fail);
        // A connection cut mid-body (or by the timeout) ends without 'end'; settling twice is harmless.
        res.on('close', () => { if (!res.complete) fail(new Error('connection closed before the response was complete')); });
      });
      // The whole exchange, not just idle time: a server trickling bytes must not hold the run beyond the timeout.
      const timer = setTimeout(() => req.destroy(new Error(`timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
      function fail(e: Error) {
        clearTimeout(timer);
        reject(e);
      }
      req.on('error', fail);
      req.end(this.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

const NO_USAGE = 'has no usage.total_tokens';

/** `usage.total_tokens` of a chat-completion body if it is a positive number, else why not. */
function totalTokens(text: string): { tokens: number } | { problem: string } {
  let body: any;
  try {
    body = JSON.parse(text);
  } catch (e: any) {
    return { problem: `is not valid JSON (${e.message})` };
  }
  const t = body?.usage?.total_tokens;
  if (t === undefined) return { problem: NO_USAGE };
  return typeof t === 'number' && Number.isFinite(t) && t > 0 ? { tokens: t } : { problem: `has usage.total_tokens ${JSON.stringify(t)}, not a positive number` };
}

function formatBytes(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(n % (1 << 20) === 0 ? 0 : 1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KiB` : `${n} bytes`;
}
