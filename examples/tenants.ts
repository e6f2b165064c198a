import { App, Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { IngressGateway, MeteredModel, Namespace, RateLimitService, readKeysFile, Tenants, tenantsFromKeysFile, TierUnit } from 'kserve-agentgateway-stack';

/**
 * Per-tenant budgets by tier on a shared gateway: callers present API keys (`npm run keys -- add` records their
 * hashes in the keys file), and the platform team's rate-limit service counts each tenant once for every proxy.
 */
export class TenantsChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    const gateway = IngressGateway.fromGatewayAttributes(this, 'SharedGateway', { name: 'shared-gateway', namespace: 'gateways' });
    const rateLimitService = RateLimitService.fromRateLimitServiceAttributes(this, 'RateLimit', { name: 'ratelimit', namespace: 'ratelimit' });
    const tenants = new Tenants({
      tiers: [{ name: 'standard', tokens: 2000, unit: TierUnit.MINUTES }, { name: 'premium', tokens: 20000, unit: TierUnit.MINUTES }],
      ...tenantsFromKeysFile(readKeysFile(process.env.KEYS_FILE ?? 'config/api-keys.json')),
    });

    new Namespace(this, 'Namespace', { name: 'team-a' });
    new MeteredModel(this, 'Chat', {
      gateway,
      inferenceService: { name: 'chat', namespace: 'team-a', image: 'vllm/vllm-openai:v0.11.0' },
      budget: { tokens: 100000 },
      tenantBudget: { tenants, rateLimitService },
    });
  }
}

const app = new App();
new TenantsChart(app, 'team-a-tenants');
app.synth();
