import { stackPropsFor } from '../lib/app-config';
import { LlmServingStack } from '../lib/stack';
import { App } from 'cdk8s';
import { renderedObjects } from './helpers';

const D = `sha256:${'a'.repeat(64)}`;

describe('the tenants profile', () => {
  test('is the hardened stack plus the rate-limit service and ONE policy on the model route with the budget folded in', () => {
    const app = new App();
    new LlmServingStack(app, 'Stack', stackPropsFor({ profile: 'tenants', modelImageDigest: D, rateLimitImageDigest: D, redisImageDigest: D }));
    const objects = renderedObjects(app);
    const policies = objects.filter(o => o.kind === 'AgentgatewayPolicy');
    expect(policies.map(p => p.metadata.name)).toEqual(['mock-llm-ai-tenant-budget']);
    const rl = policies[0].spec.traffic.rateLimit;
    expect(rl.local).toEqual([{ tokens: 100, unit: 'Minutes' }]);
    expect(rl.global.backendRef).toEqual({ group: '', kind: 'Service', name: 'ratelimit', namespace: 'ratelimit', port: 8081 });
    const keys = objects.find(o => o.kind === 'ConfigMap' && o.metadata.name === 'mock-llm-ai-tenant-budget-api-keys');
    expect(Object.keys(keys.data)).toHaveLength(3);
    expect(objects.find(o => o.kind === 'Deployment' && o.metadata.name === 'ratelimit').spec.template.spec.containers[0].image).toBe(`docker.io/envoyproxy/ratelimit:1e50889b@${D}`);
    // The gateway's proxies are the only clients admitted to the service.
    const np = objects.find(o => o.kind === 'NetworkPolicy' && o.metadata.name === 'ratelimit-clients');
    expect(np.spec.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'kserve' });
  });

  test('refuses to build without the rate-limit images\' digests, as hardened refuses without the model\'s', () => {
    expect(() => stackPropsFor({ profile: 'tenants', modelImageDigest: D })).toThrow(/pin envoyproxy\/ratelimit by digest[\s\S]*pin Redis by digest/);
  });
});
