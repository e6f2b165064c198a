import { App, Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { IngressGateway, MeteredModel, Namespace, TokenBudgetUnit } from 'kserve-agentgateway-stack';

/**
 * A team's models behind the platform team's shared gateway, each with its own token budget. Named `MyChart`, with
 * the template's constructor, because the template's `main.test.ts` imports it by that name.
 */
export class MyChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);

    // The gateway exists already (the platform team runs it); only its name is needed.
    const gateway = IngressGateway.fromGatewayAttributes(this, 'SharedGateway', { name: 'shared-gateway', namespace: 'gateways' });

    new Namespace(this, 'Namespace', { name: 'team-a' });
    new MeteredModel(this, 'Chat', {
      gateway,
      inferenceService: { name: 'chat', namespace: 'team-a', image: 'vllm/vllm-openai:v0.11.0' },
      budget: { tokens: 50000, unit: TokenBudgetUnit.HOURS },
    });
    // A second model in the same namespace is one more construct; its names derive from its own.
    new MeteredModel(this, 'Embed', {
      gateway,
      inferenceService: { name: 'embed', namespace: 'team-a', image: 'vllm/vllm-openai:v0.11.0' },
      budget: { tokens: 2000 },
    });
  }
}

const app = new App();
new MyChart(app, 'team-a');
app.synth();
