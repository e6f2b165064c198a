import { Construct } from 'constructs';
import { AiBackend, AiBackendProps } from './ai-backend';
import { AiRoute, AiRouteProps } from './ai-route';
import { HttpRouteRef, IHttpRouteRef } from './http-route-ref';
import { InferenceService, InferenceServiceProps, ModelVisibility } from './inference-service';
import { IngressGateway } from './ingress-gateway';
import { ModelEchoHeaders, ModelEchoHeadersProps } from './model-echo-headers';
import { PredictorNetworkPolicy } from './predictor-network-policy';
import { TokenBudget, TokenBudgetProps } from './token-budget';

/** Options for the optional model-echo-headers policy of a {@link MeteredModel}. */
export interface EchoModelHeadersOptions extends Omit<ModelEchoHeadersProps, 'route'> {
  /**
   * The route whose responses get the headers.
   * @default - the top-level route KServe generates for the inference service (the guide's `mock-llm`), or the
   * budgeted route when the model is cluster-local (KServe then generates none)
   */
  readonly route?: IHttpRouteRef;
}

/** Props for {@link MeteredModel}. */
export interface MeteredModelProps {
  /** The gateway the model is served through. */
  readonly gateway: IngressGateway;
  /**
   * The InferenceService.
   * @default - the guide's httpbun mock: `mock-llm` in `kserve-test`
   */
  readonly inferenceService?: InferenceServiceProps;
  /**
   * Overrides for the AI backend; everything else is derived from the inference service.
   * @default - derived: `<name>-backend`, model `<name>`, the predictor host and port, '/llm/chat/completions'
   */
  readonly backend?: Omit<AiBackendProps, 'inferenceService'>;
  /**
   * Overrides for the AI route.
   * @default - derived: `<name>-ai` on the inference service's hostname, PathPrefix of the backend path
   */
  readonly route?: Omit<AiRouteProps, 'backend' | 'gateway' | 'namespaceLabels'>;
  /**
   * Overrides for the token budget.
   * @default - `llm-token-budget`: 100 tokens per minute
   */
  readonly budget?: Omit<TokenBudgetProps, 'route'>;
  /**
   * Add the transformation policy that echoes the requested and actual model in response headers: `true` for the
   * guide's policy, or options.
   * @default false
   */
  readonly echoModelHeaders?: boolean | EchoModelHeadersOptions;
  /**
   * Labels of the model's namespace, used to check that the gateway admits the route.
   * @default {}
   */
  readonly namespaceLabels?: Record<string, string>;
  /**
   * Add a NetworkPolicy that admits traffic to the predictor pods only from the gateway proxy.
   * @default false
   */
  readonly networkPolicy?: boolean;
}

/**
 * One model served through the gateway with a token budget: the InferenceService, the AI backend in front of
 * its predictor, the route through that backend, the budget on the route, and optionally the echo headers.
 * A second model is one more `new MeteredModel(...)`.
 */
export class MeteredModel extends Construct {
  /** The inference service. */
  public readonly inferenceService: InferenceService;
  /** The AI backend. */
  public readonly backend: AiBackend;
  /** The budgeted route. */
  public readonly route: AiRoute;
  /** The token budget. */
  public readonly budget: TokenBudget;
  /** The echo-headers policy, when enabled. */
  public readonly echoHeaders?: ModelEchoHeaders;
  /** The predictor NetworkPolicy, when enabled. */
  public readonly networkPolicy?: PredictorNetworkPolicy;

  constructor(scope: Construct, id: string, props: MeteredModelProps) {
    super(scope, id);
    this.inferenceService = new InferenceService(this, 'InferenceService', props.inferenceService);
    this.backend = new AiBackend(this, 'Backend', { ...props.backend, inferenceService: this.inferenceService });
    this.route = new AiRoute(this, 'Route', {
      ...props.route,
      backend: this.backend,
      gateway: props.gateway,
      namespaceLabels: props.namespaceLabels,
    });
    this.budget = new TokenBudget(this, 'TokenBudget', { ...props.budget, route: this.route });
    if (props.echoModelHeaders) {
      const options = props.echoModelHeaders === true ? {} : props.echoModelHeaders;
      this.echoHeaders = new ModelEchoHeaders(this, 'EchoHeaders', {
        ...options,
        route: options.route ?? (this.inferenceService.visibility === ModelVisibility.CLUSTER_LOCAL
          ? this.route
          : HttpRouteRef.fromName(this.inferenceService.generatedRouteName, this.inferenceService.namespace)),
      });
    }
    if (props.networkPolicy) {
      this.networkPolicy = new PredictorNetworkPolicy(this, 'NetworkPolicy', { inferenceService: this.inferenceService, gateway: props.gateway });
    }
  }

  /** The model's namespace. */
  public get namespace(): string {
    return this.inferenceService.namespace;
  }
}
