import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { KServeIngressSettings } from './app/inference-service';
import { IngressChart } from './app/ingress-chart';
import { IGateway, IngressGatewayProps } from './app/ingress-gateway';
import { MeteredLlmOptions } from './app/metered-llm';
import { MeteredModelOptions } from './app/metered-model';
import { ModelsChart } from './app/models-chart';
import { RateLimitFailureMode } from './app/tenant-budget';
import { Tenants, TenantsProps } from './app/tenants';
import { Agentgateway } from './platform/agentgateway';
import { CertManager } from './platform/cert-manager';
import { GatewayApiCrds } from './platform/gateway-api-crds';
import { InferenceExtensionCrds } from './platform/inference-extension-crds';
import { KServe } from './platform/kserve';
import { IRateLimitServiceRef, RateLimitService } from './platform/rate-limit-service';
import { buildComponent, includedComponents, platformArtifacts, PlatformProps } from './platform/platform-components';
import { UpstreamArtifact } from './upstream/artifacts';
import { UpstreamResolver } from './upstream/resolver';
import { checkProps, recordProblems } from './shared/validation';

export { PlatformProps } from './platform/platform-components';

/** Props for {@link LlmServingStack}. */
export interface LlmServingStackProps {
  /**
   * Platform components.
   * @default - all four
   */
  readonly platform?: PlatformProps;
  /**
   * The ingress gateway the stack creates.
   * @default - KServe's default ingress gateway: `kserve-ingress-gateway` in namespace `kserve`, class agentgateway,
   * HTTP on 80, routes from all namespaces
   */
  readonly gateway?: IngressGatewayProps;
  /**
   * A gateway that exists already (imported with `IngressGateway.fromGatewayAttributes`): the stack then creates
   * none, and KServe and the models use this one.
   * @default - the stack creates one (see `gateway`)
   */
  readonly existingGateway?: IGateway;
  /**
   * The models served through the gateway, each with its token budget.
   * @default - none
   */
  readonly models?: MeteredModelOptions[];
  /**
   * The LLMs served through the gateway: KServe LLMInferenceServices with their InferencePools and endpoint pickers,
   * each metered by a token budget or routed straight to its pool. They need the Inference Extension CRDs
   * (`platform.inferenceExtension`), agentgateway's inference extension and KServe's LLMInferenceServiceConfigs: see
   * `llmisvcPreset` for a stack that has them.
   * @default - none
   */
  readonly llms?: MeteredLlmOptions[];
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
   * Per-tenant token budgets on every model: tiers, tenants, API keys (from the keys file) and where identity comes
   * from. Shared budgets need a rate-limit service: `platform.rateLimitService`, or `tenants.rateLimitService` for
   * one that runs elsewhere.
   * @default - none: each model has one budget for every caller
   */
  readonly tenants?: StackTenantsOptions;
  /**
   * Where upstream files are read from.
   * @default UpstreamResolver.default() (UPSTREAM_MIRROR, the mirror beside the checkout, then the cache)
   */
  readonly resolver?: UpstreamResolver;
}

/** Tenants as the stack takes them. */
export interface StackTenantsOptions extends TenantsProps {
  /**
   * A rate-limit service this stack does not run.
   * @default - the stack's `platform.rateLimitService`
   */
  readonly rateLimitService?: IRateLimitServiceRef;
  /**
   * Per-replica tier limits (`rateLimit.conditional`) without any rate-limit service: for small setups.
   * @default false
   */
  readonly perReplica?: boolean;
  /**
   * What happens when the rate-limit service is unavailable.
   * @default RateLimitFailureMode.FAIL_CLOSED
   */
  readonly failureMode?: RateLimitFailureMode;
}

/** KServe's default `ingress.kserveIngressGateway` (kserve@v0.20.0:config/configmap/inferenceservice.yaml). */
const KSERVE_DEFAULT_GATEWAY = { name: 'kserve-ingress-gateway', namespace: 'kserve' } as const;

/**
 * The whole stack as charts, each depending on the one before, so the output files sort in an order kubectl can
 * apply: Gateway API CRDs, agentgateway, cert-manager, KServe, the ingress gateway, the models. Put it in an App
 * (or any construct) like any other construct; each chart is a child of the stack.
 */
export class LlmServingStack extends Construct {
  /** The pinned upstream files a stack with these props reads (for prefetching before synth). */
  public static requiredArtifacts(props: LlmServingStackProps = {}): UpstreamArtifact[] {
    return platformArtifacts(props.platform);
  }

  /** Platform charts, in apply order (absent components are left out). */
  public readonly platformCharts: Chart[] = [];
  /** The Gateway API CRDs, when included. */
  public readonly gatewayApi?: GatewayApiCrds;
  /** The Gateway API Inference Extension CRDs, when included. */
  public readonly inferenceExtension?: InferenceExtensionCrds;
  /** agentgateway, when included. */
  public readonly agentgateway?: Agentgateway;
  /** cert-manager, when included. */
  public readonly certManager?: CertManager;
  /** KServe, when included. */
  public readonly kserve?: KServe;
  /** The ingress chart, unless an existing gateway is used. */
  public readonly ingress?: IngressChart;
  /** The gateway the models are served through. */
  public readonly gateway!: IGateway;
  /** The rate-limit service, when included. */
  public readonly rateLimitService?: RateLimitService;
  /** The models chart. */
  public readonly models!: ModelsChart;

  constructor(scope: Construct, id: string, props: LlmServingStackProps = {}) {
    super(scope, id);
    if (!checkProps('LlmServingStack', this, props)) return;
    const p = props.platform ?? {};
    const resolver = props.resolver;
    if (props.gateway && props.existingGateway) {
      recordProblems(this, 'LlmServingStack', ['gateway and existingGateway are both set; set gateway to have the stack ' +
        'create the gateway, or existingGateway to use one that exists, not both']);
      return;
    }
    // The gateway is built first so KServe can point at it, but its chart is ordered after the platform's.
    const kserveNamespaceCreated = p.kserve !== false && (p.kserve?.createNamespace ?? true);
    if (props.existingGateway) {
      this.gateway = props.existingGateway;
    } else {
      const gatewayProps = { ...KSERVE_DEFAULT_GATEWAY, ...props.gateway };
      this.ingress = new IngressChart(this, 'ingress', {
        gateway: gatewayProps,
        createNamespace: !(kserveNamespaceCreated && gatewayProps.namespace === KServe.NAMESPACE),
      });
      this.gateway = this.ingress.gateway;
    }

    const built: Record<string, unknown> = {};
    for (const { info, props: componentProps } of includedComponents(p)) {
      const chart = new Chart(this, info.id);
      const previous = this.platformCharts[this.platformCharts.length - 1];
      if (previous) chart.addDependency(previous);
      this.platformCharts.push(chart);
      built[info.propsKey] = buildComponent(info.id, chart, componentProps, {
        resolver,
        kserveIngress: { ...props.kserveIngress, kserveIngressGateway: this.gateway.qualifiedName },
        inferenceExtension: built.inferenceExtension as InferenceExtensionCrds | undefined,
      });
    }
    this.gatewayApi = built.gatewayApi as GatewayApiCrds | undefined;
    this.inferenceExtension = built.inferenceExtension as InferenceExtensionCrds | undefined;
    this.agentgateway = built.agentgateway as Agentgateway | undefined;
    this.certManager = built.certManager as CertManager | undefined;
    this.kserve = built.kserve as KServe | undefined;
    this.rateLimitService = built.rateLimitService as RateLimitService | undefined;
    const t = props.tenants;
    const tenants = t ? new Tenants(t, `${this.node.path}/tenants`) : undefined;
    const rateLimitService = t?.rateLimitService ?? this.rateLimitService;
    if (tenants && !t!.perReplica && !rateLimitService) {
      recordProblems(this, 'LlmServingStack', ['tenants need a rate-limit service for shared budgets: set ' +
        'platform.rateLimitService ({} for the defaults), or tenants.rateLimitService for one running elsewhere, or tenants.perReplica: true']);
      return;
    }
    if (this.rateLimitService && tenants && !t!.perReplica) this.rateLimitService.admitClients(this.gateway.namespace, { ...this.gateway.proxyLabels });
    const lastPlatform = this.platformCharts[this.platformCharts.length - 1];
    if (lastPlatform && this.ingress) this.ingress.addDependency(lastPlatform);

    this.models = new ModelsChart(this, 'models', {
      gateway: this.gateway,
      models: props.models,
      llms: props.llms,
      kserveIngress: this.kserve?.ingressSettings ?? props.kserveIngress,
      namespaceLabels: props.modelNamespaceLabels,
      ...(tenants ? { tenantBudget: { tenants, rateLimitService, perReplica: t!.perReplica, failureMode: t!.failureMode } } : {}),
    });
    const before = this.ingress ?? lastPlatform;
    if (before) this.models.addDependency(before);
  }
}
