import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { IngressGateway, MeteredModel, Namespace } from 'kserve-agentgateway-stack';

/** A model on a gateway the platform team already runs, referenced by name; this chart emits no Gateway. */
export class ExistingGatewayChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new Namespace(this, 'ModelNamespace', { name: 'translate' });
    const gateway = IngressGateway.fromGatewayAttributes(this, 'SharedGateway', {
      name: 'shared-gateway',
      namespace: 'platform-ingress',
      listenerName: 'web',
    });
    new MeteredModel(this, 'Translator', {
      gateway,
      inferenceService: { name: 'translator', namespace: 'translate', image: 'registry.example.com/llm/translator:0.9.1' },
      budget: { tokens: 2000 },
    });
  }
}
