import { Construct } from 'constructs';
import { AiBackend, AiBackendOptions } from './ai-backend';
import { AiRoute, AiRouteOptions } from './ai-route';
import { HttpRouteRef } from './http-route-ref';
import { InferenceService, InferenceServiceProps, ModelVisibility } from './inference-service';
import { IGateway } from './ingress-gateway';
import { ModelEchoHeaders, ModelEchoHeadersOptions } from './model-echo-headers';
import { PredictorNetworkPolicy } from './predictor-network-policy';
import { ModelTenantBudgetOptions, TenantBudget } from './tenant-budget';
import { TokenBudget, TokenBudgetOptions, TokenBudgetUnit } from './token-budget';
import { checkProps, hasProblems } from '../shared/validation';

/** What describes a {@link MeteredModel} besides the gateway it is served through. */
export interface MeteredModelOptions {
  /** The InferenceService: at least its `name` and `image`. */
  readonly inferenceService: InferenceServiceProps;
  /** The token budget on the model's AI route: at least its `tokens` per unit. */
  readonly budget: TokenBudgetOptions;
  /**
   * Overrides for the AI backend; everything else is derived from the inference service.
   * @default - derived: `<name>-backend`, model `<name>`, the predictor host and port, '/v1/chat/completions'
   */
  readonly backend?: AiBackendOptions;
  /**
   * Overrides for the AI route.
   * @default - derived: `<name>-ai` on the inference service's hostname, PathPrefix of the backend path
   */
  readonly route?: AiRouteOptions;
  /**
   * Add the transformation policy that echoes the requested and actual model in response headers: `true` for
   * the defaults, or options.
   * @default false
   */
  readonly modelEchoHeaders?: boolean | ModelEchoHeadersOptions;
  /**
   * Labels of the model's namespace, used to check that the gateway admits the route (a `ModelsChart` also puts
   * them on the Namespace it creates).
   * @default {}
   */
  readonly namespaceLabels?: Record<string, string>;
  /**
   * Add a NetworkPolicy that admits traffic to the predictor pods only from the gateway proxy.
   * @default false
   */
  readonly networkPolicy?: boolean;
  /**
   * Per-tenant budgets on the route: one TenantBudget policy replaces the TokenBudget, with `budget` folded in as
   * its route-wide local limit (agentgateway applies one policy's `rateLimit` per route).
   * @default - none: a TokenBudget
   */
  readonly tenantBudget?: ModelTenantBudgetOptions;
}

/** Props for {@link MeteredModel}. */
export interface MeteredModelProps extends MeteredModelOptions {
  /** The gateway the model is served through: one of this app's, or one imported with `IngressGateway.fromGatewayAttributes`. */
  readonly gateway: IGateway;
}

/**
 * One model served through the gateway with a token budget: the InferenceService, the AI backend in front of
 * its predictor, the route through that backend, the budget on the route, and optionally the echo headers and a
 * predictor NetworkPolicy. Every name derives from the inference service's, so any number of models share a
 * namespace without colliding; a second model is one more `new MeteredModel(...)`.
 */
export class MeteredModel extends Construct {
  /** The inference service. */
  public readonly inferenceService!: InferenceService;
  /** The AI backend. */
  public readonly backend!: AiBackend;
  /** The budgeted route. */
  public readonly route!: AiRoute;
  /** The token budget, unless tenant budgets are on (then `tenantBudget` holds it). */
  public readonly budget?: TokenBudget;
  /** The tenant budget policy, with the route's budget folded in, when enabled. */
  public readonly tenantBudget?: TenantBudget;
  /** The echo-headers policy, when enabled. */
  public readonly modelEchoHeaders?: ModelEchoHeaders;
  /** The predictor NetworkPolicy, when enabled. */
  public readonly networkPolicy?: PredictorNetworkPolicy;

  constructor(scope: Construct, id: string, props: MeteredModelProps) {
    super(scope, id);
    if (!checkProps('MeteredModel', this, props, ['gateway', 'inferenceService'])) return;
    this.inferenceService = new InferenceService(this, 'InferenceService', props.inferenceService);
    this.backend = new AiBackend(this, 'Backend', { ...props.backend, inferenceService: this.inferenceService });
    this.route = new AiRoute(this, 'Route', {
      ...props.route,
      backend: this.backend,
      gateway: props.gateway,
      namespaceLabels: { ...props.namespaceLabels, ...props.route?.namespaceLabels },
    });
    if (props.tenantBudget) {
      this.tenantBudget = new TenantBudget(this, 'TenantBudget', {
        ...props.tenantBudget, route: this.route, routeBudget: { tokens: props.budget.tokens, unit: props.budget.unit ?? TokenBudgetUnit.MINUTES },
      });
    } else {
      this.budget = new TokenBudget(this, 'TokenBudget', { ...props.budget, route: this.route });
    }
    if (props.modelEchoHeaders) {
      const options = props.modelEchoHeaders === true ? {} : props.modelEchoHeaders;
      this.modelEchoHeaders = new ModelEchoHeaders(this, 'ModelEchoHeaders', {
        ...options,
        route: options.route ?? (hasProblems(this.inferenceService) || this.inferenceService.visibility === ModelVisibility.CLUSTER_LOCAL
          ? this.route
          : HttpRouteRef.fromHttpRouteAttributes(this, 'GeneratedRoute', { name: this.inferenceService.generatedRouteName, namespace: this.inferenceService.namespace })),
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
