import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type * as agw from '../../imports/agentgatewaypolicy';
import { agentgatewayPolicyImport } from '../shared/imports';
import { IRateLimitServiceRef, RateLimitService } from '../platform/rate-limit-service';
import { checkProps, hasProblems, skipIfProblems, DNS1123_SUBDOMAIN_RULE, isDns1123Subdomain, isIntInRange, PropErrors } from '../shared/validation';
import { IHttpRouteRef } from './http-route-ref';
import { Tenants, TierUnit } from './tenants';
import { MAX_TOKENS, TokenBudgetUnit } from './token-budget';

/** What agentgateway does when the rate-limit service cannot answer (`rateLimit.global.failureMode`). */
export enum RateLimitFailureMode {
  /** Deny the request (agentgateway answers 500): no tokens are spent unmetered. */
  FAIL_CLOSED = 'FailClosed',
  /** Let the request through unmetered. */
  FAIL_OPEN = 'FailOpen',
}

/**
 * A route-wide local token limit, as a {@link TokenBudget} has it (`tokens`, `unit`): pass the budget's values here
 * and its limit becomes `rateLimit.local` of this one policy instead of a second policy on the same route.
 */
export interface LocalTokenLimit {
  /** Tokens per unit for the whole route, kept per proxy replica. */
  readonly tokens: number;
  /** The window. */
  readonly unit: TokenBudgetUnit;
}

/** Label on the API-key ConfigMaps; `apiKeyAuthentication.configMapSelector` selects the policy's by its value. */
export const API_KEYS_LABEL = 'kserve-agentgateway-stack.io/api-keys';

/** How a model's route takes part in tenant budgets (what a {@link MeteredModel} needs besides its route and budget). */
export interface ModelTenantBudgetOptions {
  /** The tenants, tiers, keys and identity source. */
  readonly tenants: Tenants;
  /**
   * The rate-limit service. Required unless `perReplica`.
   * @default - none
   */
  readonly rateLimitService?: IRateLimitServiceRef;
  /**
   * Per-replica tier limits instead of shared ones.
   * @default false
   */
  readonly perReplica?: boolean;
  /**
   * What happens when the rate-limit service is unavailable.
   * @default RateLimitFailureMode.FAIL_CLOSED
   */
  readonly failureMode?: RateLimitFailureMode;
}

/** Props for {@link TenantBudget}. */
export interface TenantBudgetProps {
  /** The route whose traffic is charged; it must go through an AI backend, or agentgateway cannot count tokens. */
  readonly route: IHttpRouteRef;
  /** The tenants, tiers, keys and identity source. */
  readonly tenants: Tenants;
  /**
   * The rate-limit service that keeps the shared counters. Required unless `perReplica`.
   * @default - none
   */
  readonly rateLimitService?: IRateLimitServiceRef;
  /**
   * Per-tier limits kept by each proxy replica (`rateLimit.conditional`), without a rate-limit service: for small
   * setups. All tenants of a tier share the tier's bucket, and N replicas admit N times it.
   * @default false
   */
  readonly perReplica?: boolean;
  /**
   * The route's own budget for all callers together, folded into this policy's `rateLimit.local`. In per-replica
   * mode it is the fallback for requests whose tier matches no condition.
   * @default - none
   */
  readonly routeBudget?: LocalTokenLimit;
  /**
   * What happens when the rate-limit service is unavailable.
   * @default RateLimitFailureMode.FAIL_CLOSED
   */
  readonly failureMode?: RateLimitFailureMode;
  /**
   * Name of the AgentgatewayPolicy (the API-key ConfigMap is `<name>-api-keys`).
   * @default `<route>-tenant-budget`
   */
  readonly name?: string;
}

const LOCAL_UNIT: Partial<Record<TierUnit, TokenBudgetUnit>> = {
  [TierUnit.SECONDS]: TokenBudgetUnit.SECONDS,
  [TierUnit.MINUTES]: TokenBudgetUnit.MINUTES,
  [TierUnit.HOURS]: TokenBudgetUnit.HOURS,
};
// The CRD's maxLength for every CEL field (agentgateway.dev_agentgatewaypolicies.yaml).
const MAX_CEL = 16384;

/**
 * Per-tenant token budgets on one route, in ONE AgentgatewayPolicy: agentgateway applies only one policy's value of
 * a field per target (agentgateway#2943), so the API-key check, the shared tenant limits and the route's own budget
 * must not be split over several policies.
 */
export class TenantBudget extends Construct {
  /** Policy name. */
  public readonly name!: string;
  /** Policy namespace (the route's). */
  public readonly namespace!: string;
  /** The generated AgentgatewayPolicy. */
  public readonly apiObject!: agw.AgentgatewayPolicy;
  /** The ConfigMap of key hashes, with API-key identity. */
  public readonly apiKeys?: ApiObject;

  constructor(scope: Construct, id: string, props: TenantBudgetProps) {
    super(scope, id);
    if (!checkProps('TenantBudget', this, props, ['route', 'tenants'])) return;
    const routeOk = !hasProblems(props.route);
    this.name = props.name ?? (routeOk ? `${props.route.routeName}-tenant-budget` : 'x');
    this.namespace = props.route.routeNamespace;
    const tenants = props.tenants;
    const perReplica = props.perReplica ?? false;
    const failureMode = props.failureMode ?? RateLimitFailureMode.FAIL_CLOSED;
    const budget = props.routeBudget;

    const errors = new PropErrors('TenantBudget', this)
      .check(isDns1123Subdomain(this.name) && this.name.length <= 244, 'name', this.name, `${DNS1123_SUBDOMAIN_RULE}, at most 244 characters`)
      .check(Object.values(RateLimitFailureMode).includes(failureMode), 'failureMode', failureMode, `one of ${Object.values(RateLimitFailureMode).join(', ')}`);
    if (!perReplica && !props.rateLimitService) {
      errors.add('rateLimitService is required for shared tenant budgets: pass the stack\'s RateLimitService (or RateLimitService.fromRateLimitServiceAttributes(scope, id, { name, namespace })), or set perReplica: true for per-replica tier limits');
    }
    if (budget) {
      errors.check(isIntInRange(budget.tokens, 1, MAX_TOKENS), 'routeBudget.tokens', budget.tokens, `a whole number from 1 to ${MAX_TOKENS}`)
        .check(Object.values(TokenBudgetUnit).includes(budget.unit), 'routeBudget.unit', budget.unit, `one of ${Object.values(TokenBudgetUnit).join(', ')}`);
    }
    if (perReplica) {
      tenants.tiers.forEach((t, i) => {
        errors.check(LOCAL_UNIT[t.unit] !== undefined, `tenants.tiers[${i}].unit`, t.unit, 'Seconds, Minutes or Hours with perReplica (agentgateway\'s local limits have no longer window)');
        errors.check(t.tokens <= MAX_TOKENS, `tenants.tiers[${i}].tokens`, t.tokens, `at most ${MAX_TOKENS} with perReplica (the local limit is an int32)`);
      });
      if (tenants.tiers.length + (budget ? 1 : 0) > 16) errors.add(`perReplica allows at most 16 conditions (the CRD's maxItems), got ${tenants.tiers.length} tiers${budget ? ' and the route budget' : ''}`);
    }
    for (const e of tenants.descriptorEntries()) {
      if (e.expression.length > MAX_CEL) errors.add(`tenants: the CEL for "${e.name}" is ${e.expression.length} characters, above the CRD's ${MAX_CEL}: use API-key identity (the tier comes from the key's metadata) or fewer tenants`);
    }
    if (errors.report() || skipIfProblems(this, props.route)) return;

    const local = (limit: LocalTokenLimit) => ({ tokens: limit.tokens, unit: limit.unit as unknown as agw.AgentgatewayPolicySpecTrafficRateLimitLocalUnit });
    let rateLimit: agw.AgentgatewayPolicySpecTrafficRateLimit;
    if (perReplica) {
      // One local limit per condition: agentgateway v1.4.1 keeps only the first entry of a `local` list (#2943).
      rateLimit = {
        conditional: [
          ...tenants.tiers.map(t => ({
            condition: tenants.tierCondition(t.name),
            policy: { local: [{ tokens: t.tokens, unit: LOCAL_UNIT[t.unit] as unknown as agw.AgentgatewayPolicySpecTrafficRateLimitConditionalPolicyLocalUnit }] },
          })),
          ...(budget ? [{ policy: { local: [local(budget) as any] } }] : []),
        ],
      };
    } else {
      const service = props.rateLimitService!;
      if (service instanceof RateLimitService) {
        service.addConfigOnce(tenants.rateLimitConfig());
        service.allowPoliciesFrom(this.namespace);
      }
      rateLimit = {
        ...(budget ? { local: [local(budget)] } : {}),
        global: {
          domain: tenants.domain,
          backendRef: { group: '', kind: 'Service', name: service.serviceName, namespace: service.serviceNamespace, port: service.grpcPort },
          // No `cost`: a token descriptor whose cost fails to evaluate is dropped, unmetered (agentgateway@v1.4.1
          // remoteratelimit.rs `apply_token_amend`); without one agentgateway charges the response's total tokens.
          descriptors: [{ entries: tenants.descriptorEntries(), unit: agentgatewayPolicyImport().AgentgatewayPolicySpecTrafficRateLimitGlobalDescriptorsUnit.TOKENS }],
          failureMode: failureMode as unknown as agw.AgentgatewayPolicySpecTrafficRateLimitGlobalFailureMode,
        },
      };
    }

    const traffic: agw.AgentgatewayPolicySpecTraffic = { rateLimit };
    if (tenants.identity.source === 'apiKey') {
      this.apiKeys = new ApiObject(this, 'ApiKeys', {
        apiVersion: 'v1', kind: 'ConfigMap',
        metadata: { name: `${this.name}-api-keys`, namespace: this.namespace, labels: { [API_KEYS_LABEL]: this.name } },
        data: tenants.apiKeyData(),
      });
      Object.assign(traffic, {
        apiKeyAuthentication: {
          // Strict: a missing or unknown key is refused with 401 before any limit or model is involved.
          mode: agentgatewayPolicyImport().AgentgatewayPolicySpecTrafficApiKeyAuthenticationMode.STRICT,
          configMapSelector: { matchLabels: { [API_KEYS_LABEL]: this.name } },
        },
      });
    }
    this.apiObject = new (agentgatewayPolicyImport().AgentgatewayPolicy)(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: props.route.routeName }],
        traffic,
      },
    });
  }
}
