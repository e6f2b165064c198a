import { App } from 'cdk8s';
import { KServeIngressSettings } from './app/inference-service';
import { IngressChart } from './app/ingress-chart';
import { IngressGatewayProps } from './app/ingress-gateway';
import { ModelsChart, ModelSpec } from './app/models-chart';

/** Props for {@link LlmServingStack}. */
export interface LlmServingStackProps {
  /**
   * The ingress gateway.
   * @default - the guide's `kserve/kserve-ingress-gateway`
   */
  readonly gateway?: IngressGatewayProps;
  /**
   * The models served through the gateway, each with its token budget.
   * @default - the guide's httpbun `mock-llm` in `kserve-test`, 100 tokens per minute
   */
  readonly models?: ModelSpec[];
  /**
   * KServe's ingress settings (domain and domain template) that the generated hostnames follow.
   * @default - KServe's defaults: `{{ .Name }}-{{ .Namespace }}.example.com`
   */
  readonly kserveIngress?: KServeIngressSettings;
}

/**
 * The whole guide as charts of one app, each depending on the one before so the output files sort in apply
 * order: the ingress gateway (with namespace `kserve`), then the models.
 */
export class LlmServingStack {
  /** The ingress chart. */
  public readonly ingress: IngressChart;
  /** The models chart. */
  public readonly models: ModelsChart;

  constructor(app: App, props: LlmServingStackProps = {}) {
    this.ingress = new IngressChart(app, 'ingress', { gateway: props.gateway });
    this.models = new ModelsChart(app, 'models', {
      gateway: this.ingress.gateway,
      models: props.models,
      kserveIngress: props.kserveIngress,
    });
    this.models.addDependency(this.ingress);
  }
}
