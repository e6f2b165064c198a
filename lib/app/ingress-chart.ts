import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { IngressGateway, IngressGatewayProps } from './ingress-gateway';
import { Namespace } from './namespace';

/** Props for {@link IngressChart}. */
export interface IngressChartProps {
  /**
   * The gateway.
   * @default - the guide's: `kserve/kserve-ingress-gateway`, class agentgateway, HTTP on 80, routes from all namespaces
   */
  readonly gateway?: IngressGatewayProps;
  /**
   * Create the gateway's Namespace here. Turn off when another chart (the KServe platform chart) creates it.
   * @default true
   */
  readonly createNamespace?: boolean;
}

/** The chart holding the ingress Gateway (and its namespace, `kserve`, unless KServe's chart creates it). */
export class IngressChart extends Chart {
  /** The gateway. */
  public readonly gateway: IngressGateway;
  /** The gateway's namespace, when this chart creates it. */
  public readonly gatewayNamespace?: Namespace;

  constructor(scope: Construct, id: string, props: IngressChartProps = {}) {
    super(scope, id);
    const gatewayNamespace = props.gateway?.namespace ?? IngressGateway.DEFAULT_NAMESPACE;
    if (props.createNamespace ?? true) {
      this.gatewayNamespace = new Namespace(this, 'Namespace', { name: gatewayNamespace });
    }
    this.gateway = new IngressGateway(this, 'Gateway', props.gateway);
  }
}
