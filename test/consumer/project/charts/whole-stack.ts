import { App } from 'cdk8s';
import { LlmServingStack } from 'kserve-agentgateway-stack';

/** The whole stack: platform (Gateway API, agentgateway, cert-manager, KServe), its gateway and a model. */
export function addWholeStack(app: App): void {
  // STAND-IN until #10 lands: `new LlmServingStack(app, 'Stack', props)`.
  new LlmServingStack(app, {
    models: [{
      inferenceService: { name: 'assistant', namespace: 'assistants', image: 'registry.example.com/llm/assistant:2.4.0' },
      budget: { tokens: 10000 },
    }],
  });
}
