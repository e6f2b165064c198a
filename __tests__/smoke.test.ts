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
exports.startBucketServer = function ({ capacity = 100, perResponse = 32, host, model, port = 0, path = '/llm/chat/completions' } = {}) {
  let tokens = capacity;
  let last = Date.now();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', c => { body += c; });
    req.on('end', () => {
      if ((host && req.headers.host !== host) || req.method !== 'POST' || req.url !== path) {
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

/**
 * A dist/ like the llmisvc profile's: KServe's ConfigMap and route config (cut to the rules that matter here, written
 * for the test), the Gateway, and an LLMInferenceService whose route is `route` (its own `http.spec`, or `{}` for the
 * one KServe generates), with the guide's AI backend and budget on `<name>-kserve-route` when `budget` is set.
 */
function writeLlmDist(dir: string, o: { route: object; budget?: number; pathTemplate?: string }): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, '0004-kserve-crds.k8s.yaml'), 'this: [is not: {valid yaml\n');
  fs.writeFileSync(path.join(dir, '0005-kserve.k8s.yaml'), `apiVersion: v1
kind: ConfigMap
metadata:
  name: inferenceservice-config
  namespace: kserve
data:
  ingress: '{"kserveIngressGateway": "kserve/kserve-ingress-gateway"}'
`);
  const template = o.pathTemplate ?? '/{{ .ObjectMeta.Namespace }}/{{ .ObjectMeta.Name }}/v1/chat/completions';
  fs.writeFileSync(path.join(dir, '0006-kserve-resources.k8s.yaml'), `apiVersion: serving.kserve.io/v1alpha2
kind: LLMInferenceServiceConfig
metadata:
  name: kserve-config-llm-router-route
  namespace: kserve
spec:
  router:
    route:
      http:
        spec:
          parentRefs:
            - group: gateway.networking.k8s.io
              kind: Gateway
              name: "{{ .GlobalConfig.IngressGatewayName }}"
              namespace: "{{ .GlobalConfig.IngressGatewayNamespace }}"
          rules:
            - name: v1-completions-path
              backendRefs: [{ group: inference.networking.k8s.io, kind: InferencePool, name: "{{ ChildName .ObjectMeta.Name \`-inference-pool\` }}", port: 8000 }]
              matches: [{ path: { type: PathPrefix, value: "/{{ .ObjectMeta.Namespace }}/{{ .ObjectMeta.Name }}/v1/completions" } }]
              filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplacePrefixMatch, replacePrefixMatch: /v1/completions } } }]
            - name: v1-model-routing
              backendRefs: [{ group: inference.networking.k8s.io, kind: InferencePool, name: "{{ ChildName .ObjectMeta.Name \`-inference-pool\` }}", port: 8000 }]
              matches: [{ path: { type: Exact, value: /v1/chat/completions }, headers: [{ type: Exact, name: "{{ .GlobalConfig.ModelBasedRoutingHeaderName }}", value: "publishers/{{ .ObjectMeta.Namespace }}/models/{{ .Spec.Model.Name }}" }] }]
            - name: v1-chat-completions-path
              backendRefs: [{ group: inference.networking.k8s.io, kind: InferencePool, name: "{{ ChildName .ObjectMeta.Name \`-inference-pool\` }}", port: 8000 }]
              matches: [{ path: { type: PathPrefix, value: "${template}" } }]
              filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplacePrefixMatch, replacePrefixMatch: /v1/chat/completions } } }]
`);
  fs.writeFileSync(path.join(dir, '0007-ingress.k8s.yaml'), `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: kserve-ingress-gateway, namespace: kserve }
spec:
  gatewayClassName: agentgateway
  listeners: [{ name: http, port: 80, protocol: HTTP }]
`);
  const budget = o.budget === undefined ? '' : `---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: { name: mock-llm-backend, namespace: kserve-test }
spec:
  ai:
    provider:
      custom:
        backendRef: { group: inference.networking.k8s.io, kind: InferencePool, name: mock-llm-inference-pool }
        model: mock-llm
        formats: [{ type: Completions, path: /v1/chat/completions }]
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata: { name: mock-llm-token-budget, namespace: kserve-test }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: mock-llm-kserve-route }]
  traffic: { rateLimit: { local: [{ tokens: ${o.budget}, unit: Minutes }] } }
`;
  fs.writeFileSync(path.join(dir, '0008-models.k8s.yaml'), `apiVersion: v1
kind: Namespace
metadata: { name: kserve-test }
---
apiVersion: serving.kserve.io/v1alpha2
kind: LLMInferenceService
metadata: { name: mock-llm, namespace: kserve-test }
spec:
  model: { name: mock-llm, uri: hf://mock/mock-llm }
  router:
    route: ${JSON.stringify(o.route)}
    scheduler: {}
${budget}`);
}

/** The guide's override of KServe's route: through the AI backend, at the chat-completions path, on any host. */
const OVERRIDE_ROUTE = { http: { spec: {
  parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'kserve-ingress-gateway', namespace: 'kserve' }],
  rules: [{ backendRefs: [{ group: 'agentgateway.dev', kind: 'AgentgatewayBackend', name: 'mock-llm-backend' }], matches: [{ path: { type: 'PathPrefix', value: '/v1/chat/completions' } }] }],
} } };

/** A server answering 200 with a chat completion of 32 tokens at `path`, 404 elsewhere; records each request. */
async function recording(okPath: string): Promise<{ url: string; requests: { path?: string; host?: string }[] }> {
  const requests: { path?: string; host?: string }[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ path: req.url, host: req.headers.host });
    req.resume();
    req.on('end', () => {
      res.writeHead(req.url === okPath ? 200 : 404, { 'content-type': 'application/json' });
      res.end(req.url === okPath ? JSON.stringify({ usage: { total_tokens: 32 } }) : '{}');
    });
  });
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done));
  return { url: urlOf(server), requests };
}

const HOST = 'mock-llm-kserve-test.example.com';
let tmp: string;
let startBucketServer: (o?: { capacity?: number; host?: string; model?: string; path?: string }) => Promise<http.Server>;
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

async function bucket(o?: { capacity?: number; host?: string; model?: string; path?: string }): Promise<string> {
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

  test('without a budget, passes on a first 200 and sends no burst; fails on anything else', async () => {
    const ok = await runSmoke({ url: await answering(200, { usage: { total_tokens: 32 } }) });
    expect(ok.verdict).toBe('PASS: the route answered 200 (32 tokens); no token budget to test, so no burst was sent');
    expect(ok.statuses).toEqual([200]);
    const notFound = await runSmoke({ url: await answering(404, 'no route') });
    expect(notFound.ok).toBe(false);
    expect(notFound.verdict).toBe('FAIL: the first request answered 404, not 200: no route matched the path');
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
    const started = portForward(silent, 'kind-test', { name: 'x', namespace: 'y' }, process.env, 1500); // long enough for a node process to start on a loaded machine
    await expect(started).rejects.toThrow(/--context kind-test port-forward -n y svc\/x 0:80: no "Forwarding from[\s\S]*no ready pods/);
    expect(() => process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });
});

describe('npm run smoke on an LLMInferenceService', () => {
  test('with the budget on the route KServe makes from it: posts to that route\'s path on any host, and the budget turns 200 into 429', async () => {
    const dist = path.join(tmp, 'dist-llm-metered');
    writeLlmDist(dist, { route: OVERRIDE_ROUTE, budget: 10 });
    const url = await bucket({ capacity: 10, model: 'mock-llm', path: '/v1/chat/completions' });
    let out = '';
    const code = await runSmokeCli(['--url', url], { CDK8S_OUTDIR: dist }, s => { out += s; }, s => { out += s; });
    expect(out).toContain('budget: 10 tokens (AgentgatewayPolicy kserve-test/mock-llm-token-budget on HTTPRoute kserve-test/mock-llm-kserve-route (made by KServe, from LLMInferenceService kserve-test/mock-llm))');
    expect(out).toContain(`POST ${url}/v1/chat/completions, model mock-llm: 1 request, then a burst of 30`);
    // 10 tokens at 32 a response: the first answers, the bucket goes below zero, the second is cut off.
    expect(out).toContain('PASS: 1 request answered (32 tokens), then 429 at request #2 (limit allows at most 3)');
    expect(code).toBe(0);
  });

  test('without a budget, the route KServe generates for plain pool routing answers 200 at /<namespace>/<name>/v1/chat/completions, once', async () => {
    const dist = path.join(tmp, 'dist-llm-pool');
    writeLlmDist(dist, { route: {} });
    const server = await recording('/kserve-test/mock-llm/v1/chat/completions');
    let out = '';
    const code = await runSmokeCli(['--url', server.url], { CDK8S_OUTDIR: dist }, s => { out += s; }, s => { out += s; });
    expect(out).toContain(`budget: none in ${dist}; testing that the route answers on HTTPRoute kserve-test/mock-llm-kserve-route (made by KServe, from LLMInferenceService kserve-test/mock-llm)`);
    expect(out).toContain(`POST ${server.url}/kserve-test/mock-llm/v1/chat/completions, model mock-llm: 1 request, which must answer 200`);
    expect(out).toContain('PASS: the route answered 200 (32 tokens); no token budget to test, so no burst was sent');
    expect(code).toBe(0);
    expect(server.requests).toEqual([{ path: '/kserve-test/mock-llm/v1/chat/completions', host: server.url.replace('http://', '') }]);
  });

  test('without a budget, port-forwards the Gateway KServe\'s config names (from its ConfigMap in dist/)', async () => {
    const dist = path.join(tmp, 'dist-llm-forward');
    writeLlmDist(dist, { route: {} });
    const env = { ...process.env, CDK8S_OUTDIR: dist, KUBECTL: path.join(tmp, 'kubectl') };
    // The fake kubectl serves the bucket at the guide's old path only: the generated path gets 404, which is the point.
    const code = await runSmokeCli([], env, () => undefined, () => undefined);
    expect(code).toBe(1);
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'kubectl-call.json'), 'utf8')).args).toEqual(['port-forward', '-n', 'kserve', 'svc/kserve-ingress-gateway', '0:80']);
  });

  test('a path KServe\'s route config makes with a template smoke does not render: cannot start, naming it (exit 2)', async () => {
    const dist = path.join(tmp, 'dist-llm-template');
    writeLlmDist(dist, { route: {}, pathTemplate: '/{{ .Spec.Model.URI }}/v1/chat/completions' });
    let err = '';
    expect(await runSmokeCli(['--url', 'http://127.0.0.1:9'], { CDK8S_OUTDIR: dist }, () => undefined, s => { err += s; })).toBe(2);
    expect(err).toBe('smoke: the path of kserve-test/mock-llm-kserve-route (KServe, from LLMInferenceService kserve-test/mock-llm) is a template smoke does not render, /{{ .Spec.Model.URI }}/v1/chat/completions: pass --url and --path\n');
  });

  test('a budget on a route that is neither in dist/ nor made by KServe there: cannot start, asking for --host (exit 2)', async () => {
    const dist = path.join(tmp, 'dist-llm-missing');
    writeLlmDist(dist, { route: { http: { refs: [{ name: 'mine' }] } }, budget: 10 });
    let err = '';
    expect(await runSmokeCli(['--url', 'http://127.0.0.1:9'], { CDK8S_OUTDIR: dist }, () => undefined, s => { err += s; })).toBe(2);
    expect(err).toMatch(/^smoke: HTTPRoute kserve-test\/mock-llm-kserve-route, which the budget targets, is not in .* \(nor made by KServe from an LLMInferenceService there\): pass --host\n$/);
  });
});
