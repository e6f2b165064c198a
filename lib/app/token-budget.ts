import { Construct } from 'constructs';
import type * as agw from '../../imports/agentgatewaypolicy';
import { agentgatewayPolicyImport } from '../shared/imports';
import { checkProps, hasProblems, skipIfProblems, DNS1123_SUBDOMAIN_RULE, isDns1123Subdomain, isIntInRange, PropErrors } from '../shared/validation';
import { ensureUniqueObjects } from '../shared/unique-objects';
import { IHttpRouteRef } from './http-route-ref';

/** The window a token budget refills over (agentgateway's `rateLimit.local[].unit`). */
export enum TokenBudgetUnit {
  /** Per second. */
  SECONDS = 'Seconds',
  /** Per minute. */
  MINUTES = 'Minutes',
  /** Per hour. */
  HOURS = 'Hours',
}

/** The largest value agentgateway's int32 `tokens` field takes. */
export const MAX_TOKENS = 2147483647;

/** Props for {@link TokenBudget}. */
export interface TokenBudgetOptions {
  /**
   * Name of the AgentgatewayPolicy.
   * @default '<route name>-token-budget'
   */
  readonly name?: string;
  /** Tokens (`usage.total_tokens` summed over responses) allowed per unit, from 1 to 2147483647. */
  readonly tokens: number;
  /**
   * The refill window.
   * @default TokenBudgetUnit.MINUTES
   */
  readonly unit?: TokenBudgetUnit;
}

/** Props for {@link TokenBudget}. */
export interface TokenBudgetProps extends TokenBudgetOptions {
  /**
   * The route whose traffic is charged: it must send traffic through an AI backend, or agentgateway cannot count
   * tokens.
   */
  readonly route: IHttpRouteRef;
}

/**
 * A token budget on an AI route: an AgentgatewayPolicy with a local token rate limit. Once the bucket is empty,
 * requests get 429 until it refills. The limit is kept per proxy replica.
 */
export class TokenBudget extends Construct {
  /** Policy name. */
  public readonly name!: string;
  /** Policy namespace (the route's: policy targets are namespace-local). */
  public readonly namespace!: string;
  /** Tokens per unit. */
  public readonly tokens!: number;
  /** Refill window. */
  public readonly unit!: TokenBudgetUnit;
  /** The targeted route. */
  public readonly route!: IHttpRouteRef;
  /** The generated AgentgatewayPolicy object. */
  public readonly apiObject!: agw.AgentgatewayPolicy;

  constructor(scope: Construct, id: string, props: TokenBudgetProps) {
    super(scope, id);
    if (!checkProps('TokenBudget', this, props, ['route', 'tokens'])) return;
    ensureUniqueObjects(this);
    this.route = props.route;
    // A route with problems has reported them: its budget's own props are still checked, its name is not derived.
    const routeOk = !hasProblems(props.route);
    this.name = props.name ?? (routeOk ? `${props.route.routeName}-token-budget` : 'x');
    this.namespace = props.route.routeNamespace;
    this.tokens = props.tokens;
    this.unit = props.unit ?? TokenBudgetUnit.MINUTES;

    const errors = new PropErrors('TokenBudget', this)
      .check(isDns1123Subdomain(this.name), 'name', this.name, DNS1123_SUBDOMAIN_RULE)
      .check(isIntInRange(this.tokens, 1, MAX_TOKENS), 'tokens', this.tokens, `a whole number from 1 to ${MAX_TOKENS}`)
      .check(Object.values(TokenBudgetUnit).includes(this.unit), 'unit', this.unit, `one of ${Object.values(TokenBudgetUnit).join(', ')}`);
    if (errors.report() || skipIfProblems(this, props.route)) return;

    this.apiObject = new (agentgatewayPolicyImport().AgentgatewayPolicy)(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: this.route.routeName }],
        traffic: {
          rateLimit: {
            local: [{ tokens: this.tokens, unit: this.unit as unknown as agw.AgentgatewayPolicySpecTrafficRateLimitLocalUnit }],
          },
        },
      },
    });
  }
}
