import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { IngressGateway, IngressGatewayProps } from './ingress-gateway';
import { Namespace } from '../shared/namespace';

/** Props for {@link IngressChart}. */
export interface IngressChartProps extends ChartProps {
  /**
   * The gateway.
   * @default - IngressGateway's defaults
   */
  readonly gateway?: IngressGatewayProps;
  /**
   * Create the gateway's Namespace here. Turn off when it exists already or another chart (KServe's) creates it.
   * @default true
   */
  readonly createNamespace?: boolean;
}

/** The chart holding the ingress Gateway (and its namespace, unless that exists already). */
export class IngressChart extends Chart {
  /** The gateway. */
  public readonly gateway: IngressGateway;
  /** The gateway's namespace, when this chart creates it. */
  public readonly gatewayNamespace?: Namespace;

  constructor(scope: Construct, id: string, props: IngressChartProps = {}) {
    super(scope, id, props);
    const namespaceScope = new Construct(this, 'Namespaces');
    this.gateway = new IngressGateway(this, 'Gateway', props.gateway);
    if (props.createNamespace ?? true) {
      this.gatewayNamespace = new Namespace(namespaceScope, 'Namespace', { name: this.gateway.namespace });
    }
  }
}
