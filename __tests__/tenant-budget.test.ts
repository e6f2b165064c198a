import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { RateLimitFailureMode, TenantBudget } from '../lib/app/tenant-budget';
import { TenantIdentity, Tenants, TierUnit } from '../lib/app/tenants';
import { TokenBudgetUnit } from '../lib/app/token-budget';
import { limitFor, parseRateLimitConfig } from '../lib/platform/rate-limit-config';
import { RateLimitService } from '../lib/platform/rate-limit-service';
import { formatFinding } from '../lib/validate/findings';
import { Validator } from '../lib/validate/validator';
import { chart, mirrorResolver, objectsOf, only, routeRef, synthesizing } from './helpers';

const HASH = (c: string) => `sha256:${c.repeat(64)}`;
const route = routeRef('chat-ai', 'team-llm');
const description = (identity?: TenantIdentity) => new Tenants({
  tiers: [{ name: 'standard', tokens: 1000 }, { name: 'premium', tokens: 20000, unit: TierUnit.HOURS }],
  tenants: [{ name: 'team-a', tier: 'standard' }, { name: 'team-b', tier: 'premium' }],
  keys: [{ id: 'team-a-1', tenant: 'team-a', keyHash: HASH('a') }, { id: 'team-b-1', tenant: 'team-b', keyHash: HASH('b') }],
  identity,
});

describe('Tenants', () => {
  test('generates the service rules and the descriptors from one description, rule for rule', () => {
    const t = description();
    const config = t.rateLimitConfig();
    const entries = t.descriptorEntries();
    expect(entries.map(e => e.name)).toEqual(['tier', 'tenant']);
    // Evaluate the descriptor for each key's metadata, as agentgateway would, and look it up as the service would.
    for (const [id, json] of Object.entries(t.apiKeyData())) {
      const { metadata } = JSON.parse(json);
      const values = entries.map(e => metadata[e.expression.replace(/^apiKey\./, '')]);
      const limit = limitFor(config, entries.map((e, i) => ({ key: e.name, value: values[i] })));
      const tier = t.tierOf(metadata.tenant)!;
      expect([id, limit]).toEqual([id, { unit: tier.unit === TierUnit.HOURS ? 'hour' : 'minute', requestsPerUnit: tier.tokens }]);
    }
  });

  test('fails at construction for a tenant whose tier does not exist, naming the tiers', () => {
    expect(() => new Tenants({ tiers: [{ name: 'standard', tokens: 10 }], tenants: [{ name: 'team-a', tier: 'gold' }] }))
      .toThrow('Tenants tenants: tenants[0].tier must be one of the tiers (standard), got "gold" for tenant "team-a": add the tier or move the tenant');
  });

  test('lists every problem: bad hash, unknown tenant of a key, duplicate tier, zero tokens', () => {
    expect(() => new Tenants({
      tiers: [{ name: 'x', tokens: 0 }, { name: 'x', tokens: 1 }],
      tenants: [{ name: 'a', tier: 'x' }],
      keys: [{ id: 'k', tenant: 'nobody', keyHash: 'sha256:abc' }],
    })).toThrow(/4 problems:[\s\S]*tiers\[0\]\.tokens[\s\S]*"x" is defined twice[\s\S]*keyHash must be "sha256:" followed by 64 hex digits[\s\S]*"nobody" is not a tenant/);
  });

  test('refuses names every JavaScript object has and one key hash on two tenants, naming the tenants and key ids', () => {
    expect(() => new Tenants({
      tiers: [{ name: 'constructor', tokens: 1 }, { name: 'standard', tokens: 1 }],
      tenants: [{ name: 'constructor', tier: 'standard' }, { name: 'team-a', tier: 'standard' }],
      keys: [{ id: 'a-1', tenant: 'team-a', keyHash: HASH('a') }, { id: 'c-1', tenant: 'constructor', keyHash: HASH('A') }],
    })).toThrow(/3 problems:[\s\S]*tiers\[0\]\.name must be a DNS-1123 label [^\n]*not "constructor"[^\n]*, got "constructor"[\s\S]*tenants\[0\]\.name must be[^\n]*, got "constructor"[\s\S]*keys\[1\] \(id "c-1", tenant "constructor"\) has the keyHash of key "a-1" \(tenant "team-a"\): one key belongs to one tenant; revoke one of them/);
  });

  test('refuses API keys beyond the 1 MiB of data the API server allows a ConfigMap, saying how many fit', () => {
    const keys = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `team-a-${i}`, tenant: 'team-a', keyHash: `sha256:${i.toString(16).padStart(64, '0')}` }));
    const tenants = (n: number) => new Tenants({ tiers: [{ name: 'standard', tokens: 1 }], tenants: [{ name: 'team-a', tier: 'standard' }], keys: keys(n) });
    expect(Buffer.byteLength(Object.values(tenants(7500).apiKeyData()).join(''))).toBeLessThanOrEqual(1024 * 1024);
    expect(() => tenants(8000)).toThrow(/keys: the 8000 API keys take 1\d{6} bytes in each route's API-key ConfigMap, above the API server's limit of 1048576 bytes \(1 MiB\) of ConfigMap data, so the apply would be refused; about 7\d{3} keys like these fit\. Revoke keys no longer used/);
    // With JWT identity there is no API-key ConfigMap.
    expect(() => new Tenants({ tiers: [{ name: 'standard', tokens: 1 }], tenants: [{ name: 'team-a', tier: 'standard' }], keys: keys(8000), identity: TenantIdentity.jwtClaim('team') })).not.toThrow();
  });

  test('takes the tier from the tenant for JWT and header identities', () => {
    expect(description(TenantIdentity.jwtClaim('team')).descriptorEntries()).toEqual([
      { name: 'tier', expression: '{"team-a": "standard", "team-b": "premium"}[jwt.team]' },
      { name: 'tenant', expression: 'jwt.team' },
    ]);
    expect(description(TenantIdentity.header('X-Tenant')).descriptorEntries()[1].expression).toBe('request.headers["x-tenant"]');
    expect(() => description(TenantIdentity.jwtClaim('a.b'))).toThrow(/identity \(JWT claim\) must be a claim name/);
  });
});

describe('TenantBudget', () => {
  test('puts API-key auth, the route budget and the shared tenant limits in ONE policy', () => {
    const c = chart();
    const rl = new RateLimitService(c, 'Rl');
    new TenantBudget(c, 'Budget', { route, tenants: description(), rateLimitService: rl, routeBudget: { tokens: 5000, unit: TokenBudgetUnit.MINUTES } });
    const objects = objectsOf(c);

    const policies = objects.filter(o => o.kind === 'AgentgatewayPolicy');
    expect(policies).toHaveLength(1);
    const traffic = policies[0].spec.traffic;
    expect(policies[0].metadata).toEqual({ name: 'chat-ai-tenant-budget', namespace: 'team-llm' });
    expect(traffic.apiKeyAuthentication).toEqual({ mode: 'Strict', configMapSelector: { matchLabels: { 'kserve-agentgateway-stack.io/api-keys': 'chat-ai-tenant-budget' } } });
    expect(traffic.rateLimit.local).toEqual([{ tokens: 5000, unit: 'Minutes' }]);
    expect(traffic.rateLimit.global).toEqual({
      domain: 'llm-tenants',
      backendRef: { group: '', kind: 'Service', name: 'ratelimit', namespace: 'ratelimit', port: 8081 },
      descriptors: [{ entries: [{ name: 'tier', expression: 'apiKey.tier' }, { name: 'tenant', expression: 'apiKey.tenant' }], unit: 'Tokens' }],
      failureMode: 'FailClosed',
    });
    const keys = only(objects, 'ConfigMap', 'chat-ai-tenant-budget-api-keys');
    expect(keys.metadata.labels).toEqual({ 'kserve-agentgateway-stack.io/api-keys': 'chat-ai-tenant-budget' });
    expect(JSON.parse(keys.data['team-b-1'])).toEqual({ keyHash: HASH('b'), metadata: { tenant: 'team-b', tier: 'premium' } });
    // The service got the matching file, and a grant for the policy's namespace.
    const config = parseRateLimitConfig(only(objects, 'ConfigMap', 'ratelimit-config').data['llm-tenants.yaml']);
    expect(limitFor(config, [{ key: 'tier', value: 'premium' }, { key: 'tenant', value: 'team-b' }])).toEqual({ unit: 'hour', requestsPerUnit: 20000 });
    expect(only(objects, 'ReferenceGrant').spec.from).toEqual([{ group: 'agentgateway.dev', kind: 'AgentgatewayPolicy', namespace: 'team-llm' }]);
  });

  test('per replica: one local limit per tier condition, the route budget as the fallback, no service', () => {
    const c = chart();
    new TenantBudget(c, 'Budget', { route, tenants: description(), perReplica: true, routeBudget: { tokens: 100, unit: TokenBudgetUnit.SECONDS } });
    const policy = only(objectsOf(c), 'AgentgatewayPolicy');
    expect(policy.spec.traffic.rateLimit).toEqual({
      conditional: [
        { condition: 'apiKey.tier == "standard"', policy: { local: [{ tokens: 1000, unit: 'Minutes' }] } },
        { condition: 'apiKey.tier == "premium"', policy: { local: [{ tokens: 20000, unit: 'Hours' }] } },
        { policy: { local: [{ tokens: 100, unit: 'Seconds' }] } },
      ],
    });
  });

  test('the generated objects pass the API server\'s schema and CEL rules', () => {
    const c = chart();
    const rl = new RateLimitService(c, 'Rl');
    new TenantBudget(c, 'Budget', { route, tenants: description(), rateLimitService: rl, failureMode: RateLimitFailureMode.FAIL_OPEN });
    new TenantBudget(c, 'Local', { route: routeRef('other', 'team-llm'), tenants: description(), perReplica: true });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenant-budget-'));
    const file = path.join(dir, 'out.yaml');
    fs.writeFileSync(file, Yaml.stringify(...objectsOf(c)));
    const findings = new Validator({ resolver: mirrorResolver() }).validatePaths([file]).findings
      .filter(f => f.rule === 'schema' || f.rule.startsWith('cel') || f.rule === 'unknown-kind');
    expect(findings.map(formatFinding)).toEqual([]);
  });

  test('npm run validate refuses a ConfigMap whose data is above the API server\'s 1 MiB, as the API server does', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenant-budget-'));
    // Bytes of UTF-8, as the API server counts them ("é" is two).
    const cm = (name: string, bytes: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { a: 'x'.repeat(bytes - 2), b: 'é' } });
    fs.writeFileSync(path.join(dir, 'cm.yaml'), Yaml.stringify(cm('at-limit', 1024 * 1024), cm('over-limit', 1024 * 1024 + 1)));
    const findings = new Validator({ resolver: null }).validatePaths([dir]).findings.map(formatFinding);
    expect(findings).toEqual([expect.stringMatching(/ConfigMap default\/over-limit: Too long: may not be more than 1048576 bytes: data and binaryData hold 1048577 bytes/)]);
  });

  test('refuses a shared budget without a service, and day windows per replica', () => {
    expect(synthesizing(() => new TenantBudget(chart(), 'B', { route, tenants: description() }))).toThrow(/rateLimitService is required/);
    const daily = new Tenants({ tiers: [{ name: 'd', tokens: 10, unit: TierUnit.DAYS }] });
    expect(synthesizing(() => new TenantBudget(chart(), 'B', { route, tenants: daily, perReplica: true }))).toThrow(/tiers\[0\]\.unit must be Seconds, Minutes or Hours with perReplica/);
  });

  test('a service defined elsewhere is referenced by its attributes', () => {
    const c = chart();
    new TenantBudget(c, 'B', { route, tenants: description(TenantIdentity.header('x-tenant')), rateLimitService: RateLimitService.fromRateLimitServiceAttributes(c, 'Rls', { name: 'rls', namespace: 'infra', grpcPort: 9000 }) });
    const objects = objectsOf(c);
    expect(only(objects, 'AgentgatewayPolicy').spec.traffic.rateLimit.global.backendRef).toMatchObject({ name: 'rls', namespace: 'infra', port: 9000 });
    // Header identity: no API-key check and no key ConfigMap.
    expect(only(objects, 'AgentgatewayPolicy').spec.traffic.apiKeyAuthentication).toBeUndefined();
    expect(objects.filter(o => o.kind === 'ConfigMap')).toEqual([]);
  });
});
