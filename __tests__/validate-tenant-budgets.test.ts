import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { TenantBudget } from '../lib/app/tenant-budget';
import { Tenants } from '../lib/app/tenants';
import { RateLimitService } from '../lib/platform/rate-limit-service';
import { formatFinding } from '../lib/validate/findings';
import { Validator } from '../lib/validate/validator';
import { chart, mirrorResolver, objectsOf, routeRef } from './helpers';

const validator = new Validator({ resolver: mirrorResolver() });
const HASH = (c: string) => `sha256:${c.repeat(64)}`;

/** A tenant budget wired to the stack's rate-limit service, as plain objects a test can break. */
function wired(): any[] {
  const c = chart();
  const tenants = new Tenants({
    tiers: [{ name: 'standard', tokens: 1000 }, { name: 'premium', tokens: 5000 }],
    tenants: [{ name: 'team-a', tier: 'standard' }, { name: 'team-b', tier: 'premium' }],
    keys: [{ id: 'team-a-1', tenant: 'team-a', keyHash: HASH('a') }, { id: 'team-b-1', tenant: 'team-b', keyHash: HASH('b') }],
  });
  new TenantBudget(c, 'Budget', { route: routeRef('chat-ai', 'team-llm'), tenants, rateLimitService: new RateLimitService(c, 'Rl') });
  return objectsOf(c);
}

/** The TEN findings for these objects, as `Kind name: .path: [ID] …` lines. */
function tenFindings(objects: any[]): string[] {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ten-')), 'in.yaml');
  fs.writeFileSync(file, Yaml.stringify(...objects));
  return validator.validatePaths([file]).findings.filter(f => f.rule.startsWith('TEN')).map(f => formatFinding({ ...f, file: 'in.yaml' }));
}

const policyOf = (objects: any[]) => objects.find(o => o.kind === 'AgentgatewayPolicy');
const serviceConfig = (objects: any[]) => objects.find(o => o.kind === 'ConfigMap' && o.metadata.name === 'ratelimit-config');
const keysOf = (objects: any[]) => objects.find(o => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-api-keys'));

describe('validate: tenant budgets and the rate-limit service agree', () => {
  test('the generated wiring has no findings', () => {
    expect(tenFindings(wired())).toEqual([]);
  });

  test('TEN001: a descriptor with no matching rule in the service\'s config', () => {
    const objects = wired();
    policyOf(objects).spec.traffic.rateLimit.global.descriptors[0].entries[1].name = 'team';
    expect(tenFindings(objects)).toEqual([expect.stringMatching(/AgentgatewayPolicy team-llm\/chat-ai-tenant-budget: \.spec\.traffic\.rateLimit\.global\.descriptors\[0\]: \[TEN001\] no rule of domain "llm-tenants" in Service ratelimit\/ratelimit has the keys tier -> team/)]);
  });

  test('TEN005: breaking the service side for one tier names the keys left unlimited', () => {
    const objects = wired();
    const cm = serviceConfig(objects);
    cm.data['llm-tenants.yaml'] = cm.data['llm-tenants.yaml'].replace('value: premium', 'value: gold');
    expect(tenFindings(objects)).toEqual([expect.stringMatching(/\[TEN005\] API key team-b-1 \(tier=premium, tenant=team-b\) is on tier "premium", which the service does not know \(it has "standard", "gold"\)/)]);
  });

  test('TEN002: a domain the service has no file for', () => {
    const objects = wired();
    policyOf(objects).spec.traffic.rateLimit.global.domain = 'llm';
    expect(tenFindings(objects)).toEqual([expect.stringMatching(/\.domain: \[TEN002\] domain "llm" is not configured in Service ratelimit\/ratelimit \(it has "llm-tenants"\)/)]);
  });

  test('TEN003: a port that is not the service\'s gRPC port', () => {
    const objects = wired();
    policyOf(objects).spec.traffic.rateLimit.global.backendRef.port = 8080;
    expect(tenFindings(objects)).toEqual([expect.stringMatching(/\.backendRef\.port: \[TEN003\] Service ratelimit\/ratelimit port 8080 reaches container port 8080 of ratelimit, but the rate-limit service listens for gRPC on 8081/)]);
    policyOf(objects).spec.traffic.rateLimit.global.backendRef.port = 9999;
    expect(tenFindings(objects)).toEqual([expect.stringMatching(/\[TEN003\] port 9999 is not a port of Service ratelimit\/ratelimit \(it has 8081, 8080\)/)]);
  });

  test('TEN004: a backendRef to no Service', () => {
    const objects = wired().filter(o => !(o.kind === 'Service' && o.metadata.name === 'ratelimit'));
    expect(tenFindings(objects)).toEqual([expect.stringMatching(/\.backendRef: \[TEN004\] Service ratelimit\/ratelimit not found/)]);
  });

  test('TEN006: a key hash that is not sha256: + 64 hex, or a plaintext key in a ConfigMap', () => {
    const objects = wired();
    const keys = keysOf(objects);
    keys.data['team-a-1'] = JSON.stringify({ keyHash: 'sha256:1234', metadata: { tenant: 'team-a', tier: 'standard' } });
    keys.data['team-b-1'] = JSON.stringify({ key: 'agwk_secret' });
    expect(tenFindings(objects)).toEqual([
      expect.stringMatching(/ConfigMap team-llm\/chat-ai-tenant-budget-api-keys: \.data\["team-a-1"\]: \[TEN006\] keyHash "sha256:1234" is not "sha256:" followed by 64 hex digits/),
      expect.stringMatching(/\.data\["team-b-1"\]: \[TEN006\] a plaintext "key" in a ConfigMap/),
    ]);
  });

  test('TEN007: a cost expression on a token descriptor is a warning', () => {
    const objects = wired();
    policyOf(objects).spec.traffic.rateLimit.global.descriptors[0].cost = 'llm.outputTokens';
    expect(tenFindings(objects)).toEqual([expect.stringMatching(/descriptors\[0\]\.cost: warning: \[TEN007\] a token descriptor with a cost expression is dropped/)]);
  });

  test('TEN008: a service config file the service cannot load', () => {
    const objects = wired();
    serviceConfig(objects).data['llm-tenants.yaml'] += 'oops: 1\n';
    const findings = tenFindings(objects);
    expect(findings[0]).toMatch(/ConfigMap ratelimit\/ratelimit-config: \.data\["llm-tenants.yaml"\]: \[TEN008\]/);
  });
});
