import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { IngressGateway, LlmRouting, MeteredLlm, Namespace } from 'kserve-agentgateway-stack';

/**
 * Two LLMInferenceServices on a gateway the platform team already runs, each metered through an AI backend that
 * wraps its InferencePool, plus a third routed straight to its pool (no budget).
 */
export class TwoLlmsChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new Namespace(this, 'ModelNamespace', { name: 'llms' });
    const gateway = IngressGateway.fromGatewayAttributes(this, 'SharedGateway', { name: 'shared-gateway', namespace: 'platform-ingress' });
    const simulator = (model: string) => ({
      image: 'ghcr.io/llm-d/llm-d-inference-sim:v0.9.0-rc3',
      command: ['/app/llm-d-inference-sim'],
      args: ['--model', model, '--port', '8000', '--mode', 'echo'],
    });
    new MeteredLlm(this, 'Chat', {
      gateway,
      llmInferenceService: { name: 'chat', namespace: 'llms', model: { uri: 'hf://example/chat' }, container: simulator('chat') },
      budget: { tokens: 300 },
      hostnames: ['chat.llms.example.com'],
    });
    new MeteredLlm(this, 'Code', {
      gateway,
      llmInferenceService: { name: 'code', namespace: 'llms', model: { uri: 'hf://example/code', name: 'coder' }, container: simulator('coder') },
      budget: { tokens: 900 },
      hostnames: ['code.llms.example.com'],
    });
    new MeteredLlm(this, 'Draft', {
      gateway,
      routing: LlmRouting.POOL,
      llmInferenceService: { name: 'draft', namespace: 'llms', model: { uri: 'hf://example/draft' }, container: simulator('draft') },
    });
  }
}
