import { Construct } from 'constructs';
import { checkProps, HOSTNAME_RULE, isHostname, PropErrors, show } from '../shared/validation';
import { OPENAI_CHAT_COMPLETIONS_PATH } from './ai-backend';
import { IGateway } from './ingress-gateway';
import { InferencePoolBackend, InferencePoolBackendOptions, LlmApiFormatType } from './inference-pool-backend';
import { LlmInferenceService, LlmInferenceServiceProps, LlmRoute } from './llm-inference-service';
import { LlmWorkloadNetworkPolicy } from './llm-workload-network-policy';
import { ModelTenantBudgetOptions, TenantBudget } from './tenant-budget';
import { TokenBudget, TokenBudgetOptions, TokenBudgetUnit } from './token-budget';

/** How requests reach an LLMInferenceService's pool. */
export enum LlmRouting {
  /**
   * Through an AgentgatewayBackend that wraps the InferencePool, on KServe's route overridden to use it: agentgateway
   * parses the LLM traffic, so the token budget (and other AI policies) apply. With agentgateway v1.4.1 the backend
   * picks pool endpoints by plain load balancing, bypassing the endpoint picker (agentgateway #2976).
   */
  METERED = 'Metered',
  /**
   * To the InferencePool on the route KServe generates (`/<namespace>/<name>/...`): the endpoint picker chooses
   * each request's server; no AI backend, so no token budget.
   */
  POOL = 'Pool',
}

/** What describes a {@link MeteredLlm} besides the gateway it is served through. */
export interface MeteredLlmOptions {
  /**
   * The LLMInferenceService: at least its `name` and `model.uri`. Its router's route is the MeteredLlm's to set
   * (`routing`); gateways and scheduler settings are kept.
   */
  readonly llmInferenceService: LlmInferenceServiceProps;
  /**
   * How requests reach the pool.
   * @default LlmRouting.METERED
   */
  readonly routing?: LlmRouting;
  /**
   * The token budget on KServe's route `<name>-kserve-route`: at least its `tokens` per unit. Required with
   * `LlmRouting.METERED`; not allowed with `LlmRouting.POOL` (nothing there can count tokens).
   * @default - none
   */
  readonly budget?: TokenBudgetOptions;
  /**
   * Overrides for the AI backend that wraps the pool.
   * @default - `<name>-backend`, the model's name, Completions at '/v1/chat/completions'
   */
  readonly backend?: InferencePoolBackendOptions;
  /**
   * Path prefix of the overridden route.
   * @default - the backend's Completions path ('/v1/chat/completions')
   */
  readonly pathPrefix?: string;
  /**
   * Host names the overridden route answers.
   * @default - none: any host the gateway's listener accepts (as the guide's route)
   */
  readonly hostnames?: string[];
  /**
   * Labels of the model's namespace, used to check that the gateway admits the route (a `ModelsChart` also puts
   * them on the Namespace it creates).
   * @default {}
   */
  readonly namespaceLabels?: Record<string, string>;
  /**
   * Add a NetworkPolicy that admits traffic to the model server pods only from the gateway proxy and the model's
   * endpoint picker.
   * @default false
   */
  readonly networkPolicy?: boolean;
  /**
   * Per-tenant budgets on the route: one TenantBudget policy replaces the TokenBudget, with `budget` folded in as
   * its route-wide local limit.
   * @default - none: a TokenBudget
   */
  readonly tenantBudget?: ModelTenantBudgetOptions;
}

/** Props for {@link MeteredLlm}. */
export interface MeteredLlmProps extends MeteredLlmOptions {
  /** The gateway the model is served through: one of this app's, or one imported with `IngressGateway.fromGatewayAttributes`. */
  readonly gateway: IGateway;
}

/**
 * One LLM served through the gateway as the current agentgateway KServe guide serves it: a KServe
 * LLMInferenceService with its managed InferencePool and endpoint picker, and — metered — an AgentgatewayBackend
 * wrapping the pool, KServe's route `<name>-kserve-route` overridden to go through it, and the token budget on that
 * route. Every name derives from the LLMInferenceService's, so any number share a namespace.
 */
export class MeteredLlm extends Construct {
  /** The LLMInferenceService. */
  public readonly llmInferenceService: LlmInferenceService;
  /** How requests reach the pool. */
  public readonly routing: LlmRouting;
  /** The AI backend wrapping the pool, when metered. */
  public readonly backend?: InferencePoolBackend;
  /** The token budget, when metered without tenant budgets. */
  public readonly budget?: TokenBudget;
  /** The tenant budget policy, when enabled. */
  public readonly tenantBudget?: TenantBudget;
  /** The workload NetworkPolicy, when enabled. */
  public readonly networkPolicy?: LlmWorkloadNetworkPolicy;
  /** The path prefix of the metered route, when metered. */
  public readonly pathPrefix?: string;

  constructor(scope: Construct, id: string, props: MeteredLlmProps) {
    super(scope, id);
    checkProps('MeteredLlm', this, props, ['gateway', 'llmInferenceService']);
    const missing = ['name', 'model'].filter(k => (props.llmInferenceService as unknown as Record<string, unknown>)?.[k] == null);
    if (typeof props.llmInferenceService !== 'object' || missing.length > 0) {
      throw new Error(`MeteredLlm ${this.node.path}: ${missing.map(k => `llmInferenceService.${k} is required`).join('; ')}, got ${show(props.llmInferenceService)}`);
    }
    const { gateway } = props;
    this.routing = props.routing ?? LlmRouting.METERED;
    const metered = this.routing === LlmRouting.METERED;
    const spec = props.llmInferenceService;
    const namespace = spec.namespace;
    validate(this, props, metered);

    const router = spec.router ?? {};
    if (metered) {
      const backendName = props.backend?.name ?? `${spec.name}-backend`;
      this.pathPrefix = props.pathPrefix ?? completionsPath(props.backend);
      this.llmInferenceService = new LlmInferenceService(this, 'LlmInferenceService', {
        ...spec,
        router: { ...router, route: LlmRoute.override(overrideSpec(gateway, backendName, this.pathPrefix, props.hostnames)) },
      });
      const llm = this.llmInferenceService;
      this.backend = new InferencePoolBackend(this, 'Backend', { ...props.backend, name: backendName, pool: llm.inferencePool!, servedModel: llm.modelName });
    } else {
      this.llmInferenceService = new LlmInferenceService(this, 'LlmInferenceService', { ...spec, router: { ...router, route: LlmRoute.generated() } });
    }
    const llm = this.llmInferenceService;
    const errors = new PropErrors('MeteredLlm', this)
      .check(gateway.admitsRoutesFrom(llm.namespace, props.namespaceLabels), 'llmInferenceService.namespace', namespace ?? llm.namespace,
        `a namespace that Gateway ${gateway.qualifiedName} admits (it admits ${gateway.allowedRoutes.describe()}); ` +
        'move the model or widen the gateway\'s allowedRoutes');
    errors.throwIfAny();

    if (metered) {
      const route = llm.route!;
      if (props.tenantBudget) {
        this.tenantBudget = new TenantBudget(this, 'TenantBudget', {
          ...props.tenantBudget, route, routeBudget: { tokens: props.budget!.tokens, unit: props.budget!.unit ?? TokenBudgetUnit.MINUTES },
        });
      } else {
        this.budget = new TokenBudget(this, 'TokenBudget', { name: `${llm.name}-token-budget`, ...props.budget!, route });
      }
    }
    if (props.networkPolicy) this.networkPolicy = new LlmWorkloadNetworkPolicy(this, 'NetworkPolicy', { llmInferenceService: llm, gateway });
  }

  /** The model's namespace. */
  public get namespace(): string {
    return this.llmInferenceService.namespace;
  }
}

/** Where the backend sends Completions: the route's default path prefix. */
function completionsPath(backend: InferencePoolBackendOptions | undefined): string {
  const formats = backend?.formats;
  if (!formats) return OPENAI_CHAT_COMPLETIONS_PATH;
  return formats.find(f => f?.type === LlmApiFormatType.COMPLETIONS)?.path ?? formats.find(f => f?.path)?.path ?? OPENAI_CHAT_COMPLETIONS_PATH;
}

/** KServe's route, made to go through the AI backend (the guide's override, timeouts off for long generations). */
function overrideSpec(gateway: IGateway, backendName: string, pathPrefix: string, hostnames: string[] | undefined) {
  return {
    parentRefs: [{
      group: 'gateway.networking.k8s.io',
      kind: 'Gateway',
      name: gateway.name,
      namespace: gateway.namespace,
      ...(gateway.sectionName ? { sectionName: gateway.sectionName } : {}),
    }],
    ...(hostnames ? { hostnames: [...hostnames] } : {}),
    rules: [{
      backendRefs: [{ group: 'agentgateway.dev', kind: 'AgentgatewayBackend', name: backendName }],
      matches: [{ path: { type: 'PathPrefix', value: pathPrefix } }],
      timeouts: { backendRequest: '0s', request: '0s' },
    }],
  } as unknown as Parameters<typeof LlmRoute.override>[0];
}

function validate(llm: MeteredLlm, props: MeteredLlmProps, metered: boolean): void {
  const errors = new PropErrors('MeteredLlm', llm)
    .check(Object.values(LlmRouting).includes(llm.routing), 'routing', llm.routing, `one of ${Object.values(LlmRouting).map(r => `LlmRouting.${r.toUpperCase()}`).join(', ')}`)
    .check(props.llmInferenceService.router?.route === undefined, 'llmInferenceService.router.route', props.llmInferenceService.router?.route,
      'unset: a MeteredLlm sets the route from `routing` (use LlmInferenceService directly for a route of your own)')
    .check(props.llmInferenceService.router?.scheduler !== false, 'llmInferenceService.router.scheduler', false,
      'a managed scheduler ({} or its settings): both routings go through the InferencePool KServe creates with it');
  if (metered) {
    errors.check(props.budget !== undefined && props.budget !== null, 'budget', props.budget,
      'set with LlmRouting.METERED (at least { tokens }); for no budget use routing: LlmRouting.POOL');
    errors.check(props.pathPrefix === undefined || (typeof props.pathPrefix === 'string' && props.pathPrefix.startsWith('/')), 'pathPrefix', props.pathPrefix, 'an absolute path starting with "/"');
    (props.hostnames ?? []).forEach((h, i) => errors.check(isHostname(h), `hostnames[${i}]`, h, HOSTNAME_RULE));
  } else {
    for (const key of ['budget', 'backend', 'tenantBudget', 'pathPrefix', 'hostnames'] as const) {
      errors.check(props[key] === undefined, key, props[key],
        `unset with LlmRouting.POOL (no AI backend parses that traffic, so nothing can count tokens); use LlmRouting.METERED for ${show(key)}`);
    }
  }
  errors.throwIfAny();
}
