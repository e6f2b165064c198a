// The per-tenant smoke test against local servers standing in for agentgateway (see tenant-gateway.ts): it passes
// against per-tenant limits and fails against an endpoint that limits everyone together.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { hashKey } from '../lib/app/api-keys-file';
import { runTenantSmokeCli } from '../lib/cli/tenant-smoke';
import { TenantBudget } from '../lib/app/tenant-budget';
import { Tenants } from '../lib/app/tenants';
import { RateLimitService } from '../lib/platform/rate-limit-service';
import { runTenantSmoke } from '../lib/ops/tenant-smoke';
import { chart, objectsOf, routeRef } from './helpers';
import { startTenantGateway, TenantGateway } from './tenant-gateway';

const KEY_A = 'agwk_team-a-test-key';
const KEY_B = 'agwk_team-b-test-key';

function objects(): any[] {
  const c = chart();
  const tenants = new Tenants({
    tiers: [{ name: 'standard', tokens: 100 }, { name: 'premium', tokens: 1000 }],
    tenants: [{ name: 'team-a', tier: 'standard' }, { name: 'team-b', tier: 'premium' }],
    keys: [{ id: 'a', tenant: 'team-a', keyHash: hashKey(KEY_A) }, { id: 'b', tenant: 'team-b', keyHash: hashKey(KEY_B) }],
  });
  new TenantBudget(c, 'Budget', { route: routeRef('mock-llm-ai', 'kserve-test'), tenants, rateLimitService: new RateLimitService(c, 'Rl') });
  return objectsOf(c);
}

const smoke = (gw: TenantGateway, lines: string[] = []) => runTenantSmoke({
  url: gw.url,
  spender: { tenant: 'team-a', key: KEY_A },
  bystander: { tenant: 'team-b', key: KEY_B },
  spenderBudget: 100,
  log: l => lines.push(l),
});

describe('per-tenant smoke', () => {
  let gw: TenantGateway | undefined;
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
  });

  test('passes against per-tenant limits: 401 without a key, 429 only for the tenant who spent its budget', async () => {
    gw = await startTenantGateway({ objects: objects() });
    const lines: string[] = [];
    const result = await smoke(gw, lines);
    expect(result.verdict).toBe('PASS: no key -> 401; tenant team-a limited (429) after 4 requests and 128 tokens of 100; tenant team-b still 200');
    expect(result.ok).toBe(true);
    expect(lines).toContain('  team-a       #5 429');
  });

  test('fails against an endpoint that limits every tenant together', async () => {
    gw = await startTenantGateway({ objects: objects(), together: true });
    const result = await smoke(gw);
    expect(result).toEqual({ ok: false, verdict: 'FAIL: tenant team-b got 429 once tenant team-a had spent its budget: the endpoint limits tenants together, not per tenant' });
  });

  test('fails when requests without a key get through', async () => {
    gw = await startTenantGateway({ objects: objects(), noAuth: true });
    expect((await smoke(gw)).verdict).toMatch(/^FAIL: a request without an API key answered 200, not 401/);
  });

  test('fails when the spender is never limited', async () => {
    gw = await startTenantGateway({ objects: objects() });
    const result = await runTenantSmoke({ url: gw.url, spender: { tenant: 'team-b', key: KEY_B }, bystander: { tenant: 'team-a', key: KEY_A }, spenderBudget: 100 });
    expect(result.verdict).toBe('FAIL: tenant team-b spent 192 tokens without a 429: its budget of 100 is not enforced');
  });

  test('says when a key is unknown to the gateway, and when nothing answers', async () => {
    gw = await startTenantGateway({ objects: objects() });
    const unknown = await runTenantSmoke({ url: gw.url, spender: { tenant: 'team-a', key: KEY_A }, bystander: { tenant: 'team-b', key: 'agwk_revoked' }, spenderBudget: 100 });
    expect(unknown.verdict).toMatch(/tenant team-b answered 401 before any budget was spent: its key is unknown to the gateway/);
    const url = gw.url;
    await gw.close();
    gw = undefined;
    expect((await runTenantSmoke({ url, spender: { tenant: 'a', key: 'x' }, bystander: { tenant: 'b', key: 'y' }, spenderBudget: 1, timeoutMs: 2000 })).verdict).toMatch(/^FAIL: no response from/);
  });
});

describe('npm run smoke:tenants', () => {
  const dist = (objs: any[]) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenant-smoke-dist-'));
    fs.writeFileSync(path.join(dir, '0006-models.k8s.yaml'), Yaml.stringify(...objs));
    return dir;
  };
  const cli = async (args: string[], env: Record<string, string>) => {
    let out = '';
    let err = '';
    const code = await runTenantSmokeCli(args, env, s => (out += s), s => (err += s));
    return { code, out, err };
  };

  test('finds the tenants of the two keys and the spender\'s budget in dist/, and passes', async () => {
    const objs = objects();
    const gw = await startTenantGateway({ objects: objs });
    try {
      const r = await cli(['--url', gw.url], { CDK8S_OUTDIR: dist(objs), SMOKE_KEY_A: KEY_A, SMOKE_KEY_B: KEY_B });
      expect(r.out).toMatch(/kserve-test\/mock-llm-ai-tenant-budget: spending tenant team-a's budget \(tier standard, 100 tokens\); tenant team-b \(tier premium\)/);
      expect(r.out).toMatch(/PASS: /);
      expect(r.code).toBe(0);
    } finally {
      await gw.close();
    }
  });

  test('exits 1 against an endpoint limiting everyone together, 2 without keys or with two keys of one tenant', async () => {
    const objs = objects();
    const gw = await startTenantGateway({ objects: objs, together: true });
    try {
      const outdir = dist(objs);
      expect((await cli(['--url', gw.url], { CDK8S_OUTDIR: outdir, SMOKE_KEY_A: KEY_A, SMOKE_KEY_B: KEY_B })).code).toBe(1);
      expect(await cli(['--url', gw.url], { CDK8S_OUTDIR: outdir })).toMatchObject({ code: 2, err: expect.stringMatching(/SMOKE_KEY_A and SMOKE_KEY_B must hold/) });
      expect(await cli(['--url', gw.url], { CDK8S_OUTDIR: outdir, SMOKE_KEY_A: KEY_A, SMOKE_KEY_B: 'agwk_unknown' })).toMatchObject({ code: 2, err: expect.stringMatching(/SMOKE_KEY_B is not a key of/) });
      expect(await cli(['--url', gw.url], { CDK8S_OUTDIR: outdir, SMOKE_KEY_A: KEY_A, SMOKE_KEY_B: KEY_A })).toMatchObject({ code: 2, err: expect.stringMatching(/both belong to tenant team-a/) });
    } finally {
      await gw.close();
    }
  });
});
