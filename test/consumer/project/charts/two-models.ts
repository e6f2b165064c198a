import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { IngressGateway, MeteredModel, Namespace } from 'kserve-agentgateway-stack';

/** Two models in one namespace: every derived name (backend, route, budget) must differ. */
export class TwoModelsChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new Namespace(this, 'GatewayNamespace', { name: 'pair-gw' });
    new Namespace(this, 'ModelNamespace', { name: 'pair' });
    const gateway = new IngressGateway(this, 'Gateway', { name: 'pair-gateway', namespace: 'pair-gw' });
    new MeteredModel(this, 'Chat', {
      gateway,
      inferenceService: { name: 'chat', namespace: 'pair', image: 'registry.example.com/llm/chat:3.0.0' },
      budget: { tokens: 1000 },
    });
    new MeteredModel(this, 'Embed', {
      gateway,
      inferenceService: { name: 'embed', namespace: 'pair', image: 'registry.example.com/llm/embed:1.0.0' },
      budget: { tokens: 200 },
    });
  }
}
