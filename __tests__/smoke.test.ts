// `npm run smoke`: the token-budget end-to-end test, against local servers standing in for agentgateway, and a fake
// kubectl standing in for the port-forward. No cluster, no network beyond 127.0.0.1.
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { portForward, runSmokeCli } from '../lib/cli/smoke';
import { runSmoke } from '../lib/ops/smoke';

/**
 * agentgateway's local token rate limit as a server, in plain JS so that the fake kubectl can run the very same one:
 * a bucket of `capacity` tokens refilled over a minute; a request is admitted while the bucket holds more than 0
 * tokens, and the tokens of its response (32, as httpbun's mock completion reports) are charged afterwards, so the
 * bucket can go negative. Requests for another Host or path get 404, as no route would match; another model gets 400.
 */
const BUCKET_SERVER_JS = `
const http = require('http');
exports.startBucketServer = function ({ capacity = 100, perResponse = 32, host, model, port = 0 } = {}) {
  let tokens = capacity;
  let last = Date.now();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', c => { body += c; });
    req.on('end', () => {
      if ((host && req.headers.host !== host) || req.method !== 'POST' || req.url !== '/llm/chat/completions') {
        res.writeHead(404, { 'content-type': 'text/plain' });
        return res.end('route not found');
      }
      let asked;
      try { asked = JSON.parse(body).model; } catch { asked = undefined; }
      if (model && asked !== model) {
        res.writeHead(400, { 'content-type': 'text/plain' });
        return res.end('unknown model ' + asked);
      }
      const now = Date.now();
      tokens = Math.min(capacity, tokens + ((now - last) * capacity) / 60000);
      last = now;
      if (tokens <= 0) {
        res.writeHead(429, { 'content-type': 'text/plain' });
        return res.end('rate limited');
      }
      tokens -= perResponse;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        id: 'chatcmpl-1', object: 'chat.completion', model: asked,
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 10, completion_tokens: 22, total_tokens: perResponse },
      }));
    });
  });
  return new Promise(resolve => server.listen(port, '127.0.0.1', () => resolve(server)));
};
`;

/**
 * kubectl for `port-forward` only: records its arguments and pid beside itself, serves the token bucket on a random
 * port, reports the port the way kubectl does, and stays up until killed.
 */
const FAKE_KUBECTL_JS = `#!/usr/bin/env node
const fs = require('fs');
const path = require('path');
const args = process.argv.slice(2);
fs.writeFileSync(path.join(__dirname, 'kubectl-call.json'), JSON.stringify({ args, pid: process.pid }));
if (!args.includes('port-forward')) { console.error('fake kubectl: only port-forward'); process.exit(1); }
require('./bucket-server.js').startBucketServer({ host: process.env.FAKE_HOST, model: process.env.FAKE_MODEL }).then(server => {
  const port = server.address().port;
  console.log('Forwarding from 127.0.0.1:' + port + ' -> 80');
  console.log('Forwarding from [::1]:' + port + ' -> 80');
});
`;

/** Two dist/ files like the guide's (gateway; model, route, budget), plus platform YAML the CLI must not parse. */
function writeDist(dir: string, o: { host: string; model: string; tokens: number }): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, '0000-gateway-api.k8s.yaml'), 'this: [is not: {valid yaml\n');
  fs.writeFileSync(path.join(dir, '0004-ingress.k8s.yaml'), `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: kserve-ingress-gateway, namespace: kserve }
spec:
  gatewayClassName: agentgateway
  listeners: [{ name: http, port: 80, protocol: HTTP }]
`);
  fs.writeFileSync(path.join(dir, '0005-models.k8s.yaml'), `apiVersion: v1
kind: Namespace
metadata: { name: kserve-test }
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: { name: mock-llm-backend, namespace: kserve-test }
spec:
  ai:
    provider:
      host: mock-llm-predictor.kserve-test.svc.cluster.local
      openai: { model: ${o.model} }
      path: /llm/chat/completions
      port: 80
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: mock-llm-ai, namespace: kserve-test }
spec:
  hostnames: [${o.host}]
  parentRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: kserve-ingress-gateway, namespace: kserve }]
  rules:
    - backendRefs: [{ group: agentgateway.dev, kind: AgentgatewayBackend, name: mock-llm-backend, namespace: kserve-test }]
      matches: [{ path: { type: PathPrefix, value: /llm/chat/completions } }]
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata: { name: llm-token-budget, namespace: kserve-test }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: mock-llm-ai }]
  traffic:
    rateLimit:
      local: [{ tokens: ${o.tokens}, unit: Minutes }]
`);
}

const HOST = 'mock-llm-kserve-test.example.com';
let tmp: string;
let startBucketServer: (o?: { capacity?: number; host?: string; model?: string }) => Promise<http.Server>;
const servers: http.Server[] = [];

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-test-'));
  fs.writeFileSync(path.join(tmp, 'bucket-server.js'), BUCKET_SERVER_JS);
  fs.writeFileSync(path.join(tmp, 'kubectl'), FAKE_KUBECTL_JS, { mode: 0o755 });
  startBucketServer = require(path.join(tmp, 'bucket-server.js')).startBucketServer;
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map(s => new Promise(done => {
    s.closeAllConnections();
    s.close(done);
  })));
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The base URL of a started server, closed after the test. */
function urlOf(server: http.Server): string {
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function bucket(o?: { capacity?: number; host?: string; model?: string }): Promise<string> {
  return urlOf(await startBucketServer(o));
}

/** A server answering every request with this status and body. */
async function answering(status: number, body: object | string): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
  });
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done));
  return urlOf(server);
}

function collect(): { lines: string[]; log: (l: string) => void } {
  const lines: string[] = [];
  return { lines, log: l => lines.push(l) };
}

describe('runSmoke', () => {
  test('passes when a 100-token bucket charged 32 tokens a response answers 429 at request #5, sending the Host given', async () => {
    const { lines, log } = collect();
    const result = await runSmoke({ url: await bucket({ host: HOST, model: 'mock-llm' }), host: HOST, budgetTokens: 100, log });
    expect(result.ok).toBe(true);
    expect(result.firstLimitedAt).toBe(5);
    expect(result.statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 429]);
    expect(result.statuses).toHaveLength(31);
    expect(lines).toContain('  #3  200  32 tokens (96 used of 100)');
    expect(lines).toContain('  #5  429  rate limited');
    expect(result.verdict).toBe('PASS: 4 requests answered (128 tokens), then 429 at request #5 (limit allows at most 6)');
    expect(lines[lines.length - 1]).toBe(result.verdict);
  });

  test('a wrong Host header gets no route: FAIL on the first request with its 404', async () => {
    const result = await runSmoke({ url: await bucket({ host: HOST }), host: 'other.example.com', budgetTokens: 100 });
    expect(result.ok).toBe(false);
    expect(result.statuses).toEqual([404]);
    expect(result.verdict).toMatch(/^FAIL: the first request answered 404.*other\.example\.com/);
  });

  test('fails naming the budget when the server never answers 429', async () => {
    const url = await answering(200, { model: 'mock-llm', usage: { prompt_tokens: 10, completion_tokens: 22, total_tokens: 32 } });
    const result = await runSmoke({ url, host: HOST, budgetTokens: 100 });
    expect(result.ok).toBe(false);
    expect(result.firstLimitedAt).toBeUndefined();
    expect(result.verdict).toBe('FAIL: no 429 in 31 requests: the token budget of 100 is not enforced (each response used 32 tokens, so at most 6 should pass)');
  });

  test('fails when the first 429 comes later than the budget allows (a bucket larger than the policy says)', async () => {
    // 300 tokens at 32 a response: 10 pass, but a 100-token budget allows at most ceil(100/32) + 2 = 6.
    const result = await runSmoke({ url: await bucket({ capacity: 300 }), budgetTokens: 100 });
    expect(result.ok).toBe(false);
    expect(result.firstLimitedAt).toBe(11);
    expect(result.verdict).toBe('FAIL: 10 requests answered before the first 429 (at request #11), more than the token budget of 100 allows (each response used 32 tokens, so at most 6 should pass)');
  });

  test('judges with the same limit it prints: exactly the most the budget allows passes, one more fails', async () => {
    // A 300-token budget at 32 a response allows ceil(300/32) + 2 = 12 requests through.
    const atLimit = await runSmoke({ url: await bucket({ capacity: 380 }), budgetTokens: 300 });
    expect(atLimit.verdict).toBe('PASS: 12 requests answered (384 tokens), then 429 at request #13 (limit allows at most 12)');
    expect(atLimit.ok).toBe(true);
    const over = await runSmoke({ url: await bucket({ capacity: 400 }), budgetTokens: 300 });
    expect(over.verdict).toBe('FAIL: 13 requests answered before the first 429 (at request #14), more than the token budget of 300 allows (each response used 32 tokens, so at most 12 should pass)');
    expect(over.ok).toBe(false);
  });

  test('no 429 in exactly as many requests as the budget allows is inconclusive, not a failure', async () => {
    const result = await runSmoke({ url: await bucket({ capacity: 100_000 }), budgetTokens: 300, requests: 11 });
    expect(result.statuses).toHaveLength(12);
    expect(result.verdict).toMatch(/^FAIL: inconclusive: no 429 in 12 requests, but the token budget of 300 may let up to 12 pass/);
  });

  test('reads the usage of a valid JSON body of any size up to the limit, and says so plainly beyond it', async () => {
    const big = { choices: [{ message: { content: 'x'.repeat(3 << 20) } }], usage: { total_tokens: 32 } };
    const url = await answering(200, big);
    const read = await runSmoke({ url, budgetTokens: 100, requests: 1 });
    expect(read.verdict).toMatch(/^FAIL: inconclusive: no 429 in 2 requests, .*\(32 tokens each\)/);
    const capped = await runSmoke({ url, budgetTokens: 100, requests: 1, maxBodyBytes: 1 << 20 });
    expect(capped.verdict).toBe('FAIL: the first response body is larger than 1 MiB (3.0 MiB), where smoke stops reading, so its usage.total_tokens could not be read');
  });

  test('says a 200 whose body is not JSON is not JSON', async () => {
    const result = await runSmoke({ url: await answering(200, 'upstream says hi'), budgetTokens: 100 });
    expect(result.verdict).toMatch(/^FAIL: the first response is not valid JSON \(Unexpected token .*\), so its usage.total_tokens could not be read$/);
  });

  test('a burst too small to spend the budget is inconclusive, not a pass', async () => {
    const result = await runSmoke({ url: await bucket(), budgetTokens: 100, requests: 3 });
    expect(result.ok).toBe(false);
    expect(result.statuses).toEqual([200, 200, 200, 200]);
    expect(result.verdict).toMatch(/^FAIL: inconclusive: no 429 in 4 requests, .* up to 6 pass .*larger burst/);
  });

  test('fails on the first request when the server answers 500, without sending the burst', async () => {
    const result = await runSmoke({ url: await answering(500, 'upstream failed'), budgetTokens: 100 });
    expect(result.ok).toBe(false);
    expect(result.statuses).toEqual([500]);
    expect(result.verdict).toMatch(/^FAIL: the first request answered 500, not 200/);
  });

  test('fails explaining that tokens cannot be counted when a 200 carries no usage', async () => {
    const result = await runSmoke({ url: await answering(200, { model: 'mock-llm', choices: [] }), budgetTokens: 100 });
    expect(result.ok).toBe(false);
    expect(result.verdict).toBe('FAIL: response has no usage.total_tokens: agentgateway cannot count tokens, so no token budget can apply');
  });

  test('fails naming the URL when nothing listens there', async () => {
    const url = await answering(200, {});
    servers.pop()!.close();
    await new Promise(done => setTimeout(done, 10));
    const result = await runSmoke({ url, budgetTokens: 100 });
    expect(result.ok).toBe(false);
    expect(result.verdict).toContain(`FAIL: no response from ${url}/llm/chat/completions`);
  });
});

describe('npm run smoke', () => {
  test('reads host, budget and model from dist/, parsing only the models and ingress files; --url skips the port-forward', async () => {
    const dist = path.join(tmp, 'dist-url');
    writeDist(dist, { host: 'chat.team-a.example.com', model: 'qwen-mini', tokens: 200 });
    const url = await bucket({ capacity: 200, host: 'chat.team-a.example.com', model: 'qwen-mini' });
    let out = '';
    let err = '';
    // KUBECTL points nowhere: any port-forward attempt would fail the run.
    const code = await runSmokeCli(['--url', url], { CDK8S_OUTDIR: dist, KUBECTL: path.join(tmp, 'no-such-kubectl') }, s => { out += s; }, s => { err += s; });
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('budget: 200 tokens (AgentgatewayPolicy kserve-test/llm-token-budget on HTTPRoute kserve-test/mock-llm-ai)');
    expect(out).toContain('(Host: chat.team-a.example.com), model qwen-mini');
    // 200 tokens at 32 a response: 7 pass, the bucket going below zero on the 7th.
    expect(out).toContain('PASS: 7 requests answered (224 tokens), then 429 at request #8 (limit allows at most 9)');
    expect(out).not.toContain('port-forwarding');
  });

  test('flags override dist/: --budget sets the limit the 429 is judged against, --requests bounds the burst', async () => {
    const dist = path.join(tmp, 'dist-flags');
    writeDist(dist, { host: HOST, model: 'mock-llm', tokens: 100 });
    let out = '';
    const code = await runSmokeCli(['--url', await bucket({ host: HOST }), '--budget', '300', '--requests', '5'], { CDK8S_OUTDIR: dist }, s => { out += s; }, () => undefined);
    expect(code).toBe(0);
    expect(out).toContain('budget: 300 tokens (--budget)');
    expect(out).toContain('then 429 at request #5 (limit allows at most 12)');
    expect(out.match(/^ {2}#\d+/gm)).toHaveLength(6);
  });

  test('exits 2 on a bad argument, and on a missing dist/ the flags do not make up for', async () => {
    let err = '';
    expect(await runSmokeCli(['--requests', 'many'], {}, () => undefined, s => { err += s; })).toBe(2);
    expect(err).toContain('--requests must be a whole number >= 1');
    expect(err).toContain('usage: npm run smoke');
    err = '';
    expect(await runSmokeCli(['--url', 'http://127.0.0.1:9'], { CDK8S_OUTDIR: path.join(tmp, 'absent') }, () => undefined, s => { err += s; })).toBe(2);
    expect(err).toMatch(/cannot read .*absent.*npm run synth/);
  });

  test('without --url, port-forwards the gateway Service with $KUBECTL, passes through it, and kills kubectl at the end', async () => {
    const dist = path.join(tmp, 'dist-forward');
    writeDist(dist, { host: HOST, model: 'mock-llm', tokens: 100 });
    let out = '';
    const env = { ...process.env, CDK8S_OUTDIR: dist, KUBECTL: path.join(tmp, 'kubectl'), FAKE_HOST: HOST, FAKE_MODEL: 'mock-llm' };
    const code = await runSmokeCli([], env, s => { out += s; }, s => { out += s; });
    expect(out).toContain('PASS: 4 requests answered (128 tokens), then 429 at request #5 (limit allows at most 6)');
    expect(code).toBe(0);
    const call = JSON.parse(fs.readFileSync(path.join(tmp, 'kubectl-call.json'), 'utf8'));
    expect(call.args).toEqual(['port-forward', '-n', 'kserve', 'svc/kserve-ingress-gateway', '0:80']);
    expect(() => process.kill(call.pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });

  test('a port-forward that never reports its port fails with kubectl\'s stderr, and kubectl is killed', async () => {
    const silent = path.join(tmp, 'kubectl-silent');
    const pidFile = path.join(tmp, 'kubectl-silent.pid');
    fs.writeFileSync(silent, `#!/usr/bin/env node
require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));
console.error('error: no ready pods behind svc/x');
setInterval(() => {}, 1000);
`, { mode: 0o755 });
    const started = portForward(silent, 'kind-test', { name: 'x', namespace: 'y' }, process.env, 300);
    await expect(started).rejects.toThrow(/--context kind-test port-forward -n y svc\/x 0:80: no "Forwarding from[\s\S]*no ready pods/);
    expect(() => process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });
});
