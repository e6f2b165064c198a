// A local server standing in for agentgateway with per-tenant budgets, configured from the very objects the stack
// generates: the API-key ConfigMap (keyHash -> metadata), the policy's global descriptors and the rate-limit
// service's file. As agentgateway: a missing or unknown key gets 401 (apiKeyAuthentication Strict); a request is
// checked against its descriptor's counter before it runs and charged its response's total tokens after
// (remoteratelimit.rs check_llm, then amend_tokens); the counter is a fixed window, as envoyproxy/ratelimit's.
// `together: true` is the broken endpoint: one counter for every caller.
import { createHash } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';
import { limitFor, parseRateLimitConfig } from '../lib/platform/rate-limit-config';

export interface TenantGatewayOptions {
  /** The synthesized objects (policy, keys ConfigMap, service ConfigMap). */
  readonly objects: readonly any[];
  /** Tokens each response reports (httpbun's mock completion reports 32). @default 32 */
  readonly perResponse?: number;
  /** One counter for everyone (the bug the smoke test must catch). @default false */
  readonly together?: boolean;
  /** Skip API-key authentication (another bug). @default false */
  readonly noAuth?: boolean;
}

export interface TenantGateway {
  readonly url: string;
  close(): Promise<void>;
}

export async function startTenantGateway(o: TenantGatewayOptions): Promise<TenantGateway> {
  const policy = o.objects.find(x => x.kind === 'AgentgatewayPolicy');
  const global = policy.spec.traffic.rateLimit.global;
  const keys = new Map<string, any>();
  for (const cm of o.objects.filter(x => x.kind === 'ConfigMap' && x.metadata.name.endsWith('-api-keys'))) {
    for (const text of Object.values<string>(cm.data)) {
      const { keyHash, metadata } = JSON.parse(text);
      keys.set(keyHash, metadata);
    }
  }
  const configMap = o.objects.find(x => x.kind === 'ConfigMap' && x.data?.[`${global.domain}.yaml`]);
  const config = parseRateLimitConfig(configMap.data[`${global.domain}.yaml`]);
  const used = new Map<string, number>();
  const perResponse = o.perResponse ?? 32;

  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const metadata = auth ? keys.get(`sha256:${createHash('sha256').update(auth).digest('hex')}`) : undefined;
      if (!metadata && !o.noAuth) {
        res.writeHead(401, { 'content-type': 'text/plain' });
        return res.end('authentication failure: no valid API key');
      }
      const entries = (global.descriptors[0].entries as any[]).map(e => ({ key: e.name, value: String(metadata?.[e.expression.replace(/^apiKey\./, '')] ?? '') }));
      // Together: one budget for everyone, as a single route-wide limit would be (the smallest tier's).
      const limit = o.together ? { requestsPerUnit: Math.min(...config.descriptors.map(d => d.descriptors?.[0]?.rateLimit?.requestsPerUnit ?? Infinity)) } : limitFor(config, entries);
      const counter = o.together ? 'everyone' : entries.map(e => `${e.key}=${e.value}`).join(',');
      const spent = used.get(counter) ?? 0;
      if (limit && spent >= limit.requestsPerUnit) {
        res.writeHead(429, { 'content-type': 'text/plain' });
        return res.end('rate limit exceeded');
      }
      used.set(counter, spent + perResponse);
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ object: 'chat.completion', choices: [], usage: { prompt_tokens: 10, completion_tokens: perResponse - 10, total_tokens: perResponse } }));
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise(resolve => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
