import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { AllowedRoutes, IngressGateway, MeteredModel, Namespace, TokenBudgetUnit } from '../index';

/** A team's own chart: its gateway and two budgeted models, built from the library's constructs. */
export class TeamChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const modelsLabel = { 'llm.example.com/models': 'true' };
    new Namespace(this, 'GatewayNamespace', { name: 'team-gw' });
    new Namespace(this, 'ModelNamespace', { name: 'team-a', labels: modelsLabel });

    const gateway = new IngressGateway(this, 'Gateway', {
      name: 'team-gateway',
      namespace: 'team-gw',
      allowedRoutes: AllowedRoutes.fromNamespacesLabelled(modelsLabel),
    });
    const ingress = { ingressDomain: 'llm.example.com' };

    new MeteredModel(this, 'Chat', {
      gateway,
      namespaceLabels: modelsLabel,
      inferenceService: { name: 'chat', namespace: 'team-a', ingress },
      budget: { name: 'chat-budget', tokens: 5000, unit: TokenBudgetUnit.HOURS },
    });
    // A second model is one more construct.
    new MeteredModel(this, 'Embed', {
      gateway,
      namespaceLabels: modelsLabel,
      inferenceService: { name: 'embed', namespace: 'team-a', ingress },
      budget: { name: 'embed-budget', tokens: 200 },
    });
  }
}

/** Builds an app with the team's chart. */
export function buildTeamApp(): App {
  const app = new App();
  new TeamChart(app, 'team');
  return app;
}
