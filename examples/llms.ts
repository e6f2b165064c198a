import { App, Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { IngressGateway, LlmRouting, MeteredLlm, Namespace, TokenBudgetUnit } from 'kserve-agentgateway-stack';

/** A team's LLMs (KServe LLMInferenceServices) behind the platform team's shared gateway. */
export class LlmChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    const gateway = IngressGateway.fromGatewayAttributes(this, 'SharedGateway', { name: 'shared-gateway', namespace: 'gateways' });
    new Namespace(this, 'Namespace', { name: 'team-a' });

    // Metered: an AgentgatewayBackend wraps the InferencePool KServe creates, KServe's route goes through it, and the
    // budget charges that route (with agentgateway v1.4.1 the pool's endpoint picker is bypassed: #2976).
    new MeteredLlm(this, 'Chat', {
      gateway,
      llmInferenceService: { name: 'chat', namespace: 'team-a', model: { uri: 'hf://Qwen/Qwen3-0.6B' } },
      budget: { tokens: 50000, unit: TokenBudgetUnit.HOURS },
      hostnames: ['chat.team-a.example.com'],
    });
    // Straight to the pool: the endpoint picker chooses each request's server, and no budget applies.
    new MeteredLlm(this, 'Draft', {
      gateway,
      routing: LlmRouting.POOL,
      llmInferenceService: { name: 'draft', namespace: 'team-a', model: { uri: 'hf://Qwen/Qwen3-0.6B', name: 'draft' } },
    });
  }
}

const app = new App();
new LlmChart(app, 'team-a-llms');
app.synth();
