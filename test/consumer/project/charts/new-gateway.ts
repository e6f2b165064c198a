import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { IngressGateway, MeteredModel, Namespace } from 'kserve-agentgateway-stack';

/** A model on a gateway this chart creates. */
export class NewGatewayChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new Namespace(this, 'GatewayNamespace', { name: 'summarize-gw' });
    new Namespace(this, 'ModelNamespace', { name: 'summarize' });
    const gateway = new IngressGateway(this, 'Gateway', { name: 'summarize-gateway', namespace: 'summarize-gw' });
    new MeteredModel(this, 'Summarizer', {
      gateway,
      inferenceService: { name: 'summarizer', namespace: 'summarize', image: 'registry.example.com/llm/summarizer:1.2.0' },
      budget: { tokens: 500 },
    });
  }
}
