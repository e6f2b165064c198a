import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { KServeIngressSettings } from './inference-service';
import { IngressGateway } from './ingress-gateway';
import { MeteredModel, MeteredModelProps } from './metered-model';
import { Namespace } from './namespace';

/** One model of a {@link ModelsChart}: a {@link MeteredModel} without the gateway, which the chart supplies. */
export type ModelSpec = Omit<MeteredModelProps, 'gateway'>;

/** Props for {@link ModelsChart}. */
export interface ModelsChartProps {
  /** The gateway every model is served through. */
  readonly gateway: IngressGateway;
  /**
   * The models.
   * @default - one: the guide's httpbun `mock-llm` in `kserve-test` with a 100 tokens/minute budget
   */
  readonly models?: ModelSpec[];
  /**
   * KServe's ingress settings (domain and template), applied to every model that does not set its own.
   * @default - KServe's defaults (`example.com`)
   */
  readonly kserveIngress?: KServeIngressSettings;
  /**
   * Labels put on every model namespace the chart creates.
   * @default - none
   */
  readonly namespaceLabels?: Record<string, string>;
}

/** The chart holding the models: their namespaces (created once each, first) and one MeteredModel per model. */
export class ModelsChart extends Chart {
  /** The models, in the order given. */
  public readonly models: MeteredModel[];
  /** The namespaces, by name. */
  public readonly namespaces: ReadonlyMap<string, Namespace>;

  constructor(scope: Construct, id: string, props: ModelsChartProps) {
    super(scope, id);
    const specs = props.models ?? [{}];
    // Namespaces go first in the output; they are added once the models (which derive them) exist.
    const namespaceScope = new Construct(this, 'Namespaces');
    this.models = specs.map((spec, i) => new MeteredModel(this, i === 0 ? 'Model' : `Model${i + 1}`, {
      ...spec,
      gateway: props.gateway,
      inferenceService: { ...spec.inferenceService, ingress: { ...props.kserveIngress, ...spec.inferenceService?.ingress } },
      namespaceLabels: { ...props.namespaceLabels, ...spec.namespaceLabels },
    }));
    const namespaces = new Map<string, Namespace>();
    for (const model of this.models) {
      if (!namespaces.has(model.namespace)) {
        namespaces.set(model.namespace, new Namespace(namespaceScope, model.namespace, { name: model.namespace, labels: props.namespaceLabels }));
      }
    }
    this.namespaces = namespaces;
  }
}
