import { App, Chart } from 'cdk8s';
import { KServeIngressSettings } from './app/inference-service';
import { IngressChart } from './app/ingress-chart';
import { IngressGateway, IngressGatewayProps } from './app/ingress-gateway';
import { ModelsChart, ModelSpec } from './app/models-chart';
import { Agentgateway, agentgatewayArtifacts, AgentgatewayProps } from './platform/agentgateway';
import { CertManager, certManagerArtifacts, CertManagerProps } from './platform/cert-manager';
import { GatewayApiCrds, gatewayApiArtifacts, GatewayApiCrdsProps } from './platform/gateway-api-crds';
import { KServe, kserveArtifacts, KServeProps } from './platform/kserve';
import { UpstreamArtifact } from './upstream/artifacts';
import { UpstreamResolver } from './upstream/resolver';

/** The platform components under the guide's objects; `false` leaves one out (the cluster already has it). */
export interface PlatformProps {
  /**
   * Gateway API CRDs v1.6.1.
   * @default - the standard channel
   */
  readonly gatewayApi?: GatewayApiCrdsProps | false;
  /**
   * agentgateway v1.4.1: CRDs, namespace `agentgateway-system` and control plane.
   * @default - as the official chart installs it with default values
   */
  readonly agentgateway?: Omit<AgentgatewayProps, 'resolver'> | false;
  /**
   * cert-manager v1.21.1 from its release manifest.
   * @default - included
   */
  readonly certManager?: Omit<CertManagerProps, 'resolver'> | false;
  /**
   * KServe v0.20.0 in Standard mode with Gateway API ingress through the stack's gateway.
   * @default - the guide's configuration
   */
  readonly kserve?: Omit<KServeProps, 'resolver'> | false;
}

/** Props for {@link LlmServingStack}. */
export interface LlmServingStackProps {
  /**
   * Platform components.
   * @default - all four, as the guide installs them
   */
  readonly platform?: PlatformProps;
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
   * Labels put on every model namespace (a gateway can admit routes only from namespaces with them).
   * @default - none
   */
  readonly modelNamespaceLabels?: Record<string, string>;
  /**
   * KServe's ingress domain, domain template and URL scheme. With the KServe component on they are written to its
   * ConfigMap; either way the hostnames the app computes follow them.
   * @default - KServe's: `{{ .Name }}-{{ .Namespace }}.example.com`
   */
  readonly kserveIngress?: KServeIngressSettings;
  /**
   * Where upstream files are read from.
   * @default UpstreamResolver.default() (UPSTREAM_MIRROR, then the cache)
   */
  readonly resolver?: UpstreamResolver;
}

/**
 * The whole stack as charts of one app, each depending on the one before, so the output files sort in an order
 * kubectl can apply: Gateway API CRDs, agentgateway, cert-manager, KServe, the ingress gateway, the models.
 */
export class LlmServingStack {
  /** The pinned upstream files a stack with these props reads (for prefetching before synth). */
  public static requiredArtifacts(props: LlmServingStackProps = {}): UpstreamArtifact[] {
    const p = props.platform ?? {};
    return [
      ...(p.gatewayApi === false ? [] : gatewayApiArtifacts(p.gatewayApi)),
      ...(p.agentgateway === false ? [] : agentgatewayArtifacts(p.agentgateway)),
      ...(p.certManager === false ? [] : certManagerArtifacts()),
      ...(p.kserve === false ? [] : kserveArtifacts(p.kserve)),
    ];
  }

  /** Platform charts, in apply order (absent components are left out). */
  public readonly platformCharts: Chart[] = [];
  /** The Gateway API CRDs, when included. */
  public readonly gatewayApi?: GatewayApiCrds;
  /** agentgateway, when included. */
  public readonly agentgateway?: Agentgateway;
  /** cert-manager, when included. */
  public readonly certManager?: CertManager;
  /** KServe, when included. */
  public readonly kserve?: KServe;
  /** The ingress chart. */
  public readonly ingress: IngressChart;
  /** The models chart. */
  public readonly models: ModelsChart;

  constructor(app: App, props: LlmServingStackProps = {}) {
    const p = props.platform ?? {};
    const resolver = props.resolver;
    const platformChart = (id: string) => {
      const chart = new Chart(app, id);
      const previous = this.platformCharts[this.platformCharts.length - 1];
      if (previous) chart.addDependency(previous);
      this.platformCharts.push(chart);
      return chart;
    };

    if (p.gatewayApi !== false) this.gatewayApi = new GatewayApiCrds(platformChart('gateway-api'), 'Crds', { ...p.gatewayApi, resolver });
    if (p.agentgateway !== false) this.agentgateway = new Agentgateway(platformChart('agentgateway'), 'Agentgateway', { ...p.agentgateway, resolver });
    if (p.certManager !== false) this.certManager = new CertManager(platformChart('cert-manager'), 'CertManager', { ...p.certManager, resolver });

    // The gateway is built first so KServe can point at it, but its chart is ordered after KServe's.
    const gatewayNamespace = props.gateway?.namespace ?? IngressGateway.DEFAULT_NAMESPACE;
    this.ingress = new IngressChart(app, 'ingress', {
      gateway: props.gateway,
      createNamespace: !(p.kserve !== false && (p.kserve?.createNamespace ?? true) && gatewayNamespace === KServe.NAMESPACE),
    });
    if (p.kserve !== false) {
      this.kserve = new KServe(platformChart('kserve'), 'KServe', {
        ...p.kserve,
        resolver,
        ingress: { ...props.kserveIngress, kserveIngressGateway: this.ingress.gateway.qualifiedName, ...p.kserve?.ingress },
      });
    }
    const lastPlatform = this.platformCharts[this.platformCharts.length - 1];
    if (lastPlatform) this.ingress.addDependency(lastPlatform);

    this.models = new ModelsChart(app, 'models', {
      gateway: this.ingress.gateway,
      models: props.models,
      kserveIngress: this.kserve?.ingressSettings ?? props.kserveIngress,
      namespaceLabels: props.modelNamespaceLabels,
    });
    this.models.addDependency(this.ingress);
  }
}
