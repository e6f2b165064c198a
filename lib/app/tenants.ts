/**
 * Tenants and tiers: ONE description from which both sides of a shared token budget are generated, so they cannot
 * drift: the rate-limit service's rules (domain, `tier` -> `tenant` with the tier's `rate_limit`) and the
 * descriptors agentgateway sends for each request (`tier`, `tenant`, evaluated from the caller's identity).
 */
import { configMapDataBytes, MAX_CONFIG_MAP_DATA_BYTES } from '../shared/config-map-size';
import { DNS1123_LABEL_RULE, isDns1123Label, isIntInRange, PropErrors } from '../shared/validation';
import { RateLimitConfig, RateLimitUnit } from '../platform/rate-limit-config';

/** The window a tier's tokens refill over. */
export enum TierUnit {
  /** Per second. */
  SECONDS = 'Seconds',
  /** Per minute. */
  MINUTES = 'Minutes',
  /** Per hour. */
  HOURS = 'Hours',
  /** Per day: only with the shared rate-limit service (agentgateway's local limits stop at hours). */
  DAYS = 'Days',
}

const SERVICE_UNIT: Record<TierUnit, RateLimitUnit> = {
  [TierUnit.SECONDS]: RateLimitUnit.SECOND,
  [TierUnit.MINUTES]: RateLimitUnit.MINUTE,
  [TierUnit.HOURS]: RateLimitUnit.HOUR,
  [TierUnit.DAYS]: RateLimitUnit.DAY,
};

/** A tier: how many tokens each of its tenants may spend per unit. */
export interface TierSpec {
  /** Tier name, e.g. `standard`; a DNS-1123 label. */
  readonly name: string;
  /** Tokens (`usage.total_tokens` summed over responses) each tenant of the tier may spend per unit. */
  readonly tokens: number;
  /**
   * The window.
   * @default TierUnit.MINUTES
   */
  readonly unit?: TierUnit;
}

/** A tenant: a team, user or application with its own budget. */
export interface TenantSpec {
  /** Tenant name; a DNS-1123 label. */
  readonly name: string;
  /** The tier it is on; must be one of the tiers. */
  readonly tier: string;
}

/** An issued API key as the keys file records it: only the hash, never the key. */
export interface ApiKeyRecord {
  /** Stable id of the key (ConfigMap data key), e.g. `team-a-3f9c2d1e`. */
  readonly id: string;
  /** The tenant the key belongs to. */
  readonly tenant: string;
  /** `sha256:` and 64 hex digits of the key. */
  readonly keyHash: string;
}

/** Where a request's tenant comes from. */
export class TenantIdentity {
  /**
   * An API key (`Authorization: Bearer <key>`), checked by agentgateway's `apiKeyAuthentication` against the hashes
   * in a ConfigMap; the key's metadata carries `tenant` and `tier`. Unknown or missing keys get 401.
   */
  public static apiKey(): TenantIdentity {
    return new TenantIdentity('apiKey', 'apiKey.tenant', 'apiKey.tier');
  }

  /**
   * A claim of a JWT that agentgateway already validated (configure `traffic.jwtAuthentication` on the gateway or
   * route): the claim names the tenant, its tier comes from this description.
   */
  public static jwtClaim(claim: string): TenantIdentity {
    return new TenantIdentity('jwt', `jwt.${claim}`, undefined, claim);
  }

  /**
   * A request header set by trusted internal callers (a service mesh or an internal proxy). Anyone who can reach the
   * gateway can set it: use only where every caller is trusted.
   */
  public static header(name: string): TenantIdentity {
    return new TenantIdentity('header', `request.headers[${JSON.stringify(name.toLowerCase())}]`, undefined, name);
  }

  private constructor(
    /** `apiKey`, `jwt` or `header`. */
    public readonly source: 'apiKey' | 'jwt' | 'header',
    /** CEL that yields the tenant name. */
    public readonly tenantExpression: string,
    private readonly tierFromMetadata: string | undefined,
    /** The claim or header name, for `jwt` and `header`. */
    public readonly field?: string,
  ) {}

  /** CEL that yields the tier: the key's metadata, or a map from tenant to tier built from the description. */
  public tierExpression(tenants: readonly TenantSpec[]): string {
    if (this.tierFromMetadata) return this.tierFromMetadata;
    const map = `{${[...tenants].sort((a, b) => a.name.localeCompare(b.name)).map(t => `${JSON.stringify(t.name)}: ${JSON.stringify(t.tier)}`).join(', ')}}`;
    return `${map}[${this.tenantExpression}]`;
  }
}

/** Props for {@link Tenants}. */
export interface TenantsProps {
  /** The tiers. */
  readonly tiers: readonly TierSpec[];
  /**
   * The tenants.
   * @default - none
   */
  readonly tenants?: readonly TenantSpec[];
  /**
   * Issued API keys (from the keys file; `npm run keys`).
   * @default - none: with API-key identity every request gets 401
   */
  readonly keys?: readonly ApiKeyRecord[];
  /**
   * Where a request's tenant comes from.
   * @default TenantIdentity.apiKey()
   */
  readonly identity?: TenantIdentity;
  /**
   * The rate-limit domain, shared by every policy built from this description: a tenant's budget is one budget
   * across all models it calls.
   * @default 'llm-tenants'
   */
  readonly domain?: string;
}

/**
 * Whether a name is one every JavaScript object has (`constructor`, `__proto__`, `toString`, ...): such names, as
 * tenant, tier or key names, collide with the object the name is looked up in, here or in tools reading the keys file.
 */
export function isPrototypeName(name: string): boolean {
  return name in Object.prototype || name === 'prototype';
}

/** Expectation text for a tenant or tier name, used in error messages. */
export const NAME_RULE = `${DNS1123_LABEL_RULE}, and not "constructor" or another name every JavaScript object has`;

/** A tenant or tier name: a DNS-1123 label that is not a prototype name. */
export function isTenantName(value: unknown): value is string {
  return isDns1123Label(value) && !isPrototypeName(value);
}

/** The descriptor entry names, in order (the service's rule levels follow them). */
export const TENANT_DESCRIPTOR_KEYS = ['tier', 'tenant'] as const;

/** `sha256:` + 64 hex: what agentgateway accepts as `keyHash` (agentgateway@v1.4.1:crates/agentgateway/src/http/apikey.rs). */
export const KEY_HASH = /^sha256:[0-9a-fA-F]{64}$/;
// ConfigMap data keys (k8s.io/apimachinery IsConfigMapKey).
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]{1,253}$/;
// requests_per_unit is a uint32 in envoyproxy/ratelimit; agentgateway's local `tokens` an int32.
const MAX_SERVICE_TOKENS = 4294967295;
const CEL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

/** A validated tenants-and-tiers description and what it generates. */
export class Tenants {
  public readonly tiers: readonly Required<TierSpec>[];
  public readonly tenants: readonly TenantSpec[];
  public readonly keys: readonly ApiKeyRecord[];
  public readonly identity: TenantIdentity;
  public readonly domain: string;
  private tierByTenant?: Map<string, Required<TierSpec> | undefined>;

  /** @param where the construct path or label used in errors */
  constructor(props: TenantsProps, where = 'tenants') {
    this.tiers = props.tiers.map(t => ({ ...t, unit: t.unit ?? TierUnit.MINUTES }));
    this.tenants = [...(props.tenants ?? [])];
    this.keys = [...(props.keys ?? [])];
    this.identity = props.identity ?? TenantIdentity.apiKey();
    this.domain = props.domain ?? 'llm-tenants';

    const errors = new PropErrors('Tenants', where);
    errors.check(this.tiers.length > 0, 'tiers', props.tiers, 'at least one tier');
    errors.check(this.domain.length >= 1 && this.domain.length <= 200 && CONFIG_MAP_KEY.test(this.domain), 'domain', this.domain,
      'letters, digits, "-", "_" or "." (1 to 200 characters)');
    const tierNames = new Set<string>();
    this.tiers.forEach((t, i) => {
      errors.check(isTenantName(t.name), `tiers[${i}].name`, t.name, NAME_RULE);
      errors.check(isIntInRange(t.tokens, 1, MAX_SERVICE_TOKENS), `tiers[${i}].tokens`, t.tokens, `a whole number from 1 to ${MAX_SERVICE_TOKENS}`);
      errors.check(Object.values(TierUnit).includes(t.unit), `tiers[${i}].unit`, t.unit, `one of ${Object.values(TierUnit).join(', ')}`);
      if (tierNames.has(t.name)) errors.add(`tiers[${i}].name ${JSON.stringify(t.name)} is defined twice: tier names must be unique`);
      tierNames.add(t.name);
    });
    const tenantNames = new Set<string>();
    this.tenants.forEach((t, i) => {
      errors.check(isTenantName(t.name), `tenants[${i}].name`, t.name, NAME_RULE);
      if (tenantNames.has(t.name)) errors.add(`tenants[${i}].name ${JSON.stringify(t.name)} is defined twice: tenant names must be unique`);
      tenantNames.add(t.name);
      if (!tierNames.has(t.tier)) {
        errors.add(`tenants[${i}].tier must be one of the tiers (${[...tierNames].join(', ') || 'none defined'}), got ${JSON.stringify(t.tier)} for tenant ${JSON.stringify(t.name)}: add the tier or move the tenant`);
      }
    });
    const keyIds = new Set<string>();
    const hashes = new Map<string, ApiKeyRecord>();
    this.keys.forEach((k, i) => {
      errors.check(typeof k.id === 'string' && CONFIG_MAP_KEY.test(k.id) && !isPrototypeName(k.id), `keys[${i}].id`, k.id,
        'letters, digits, "-", "_" or "." (it is a ConfigMap key), and not a name every JavaScript object has');
      if (keyIds.has(k.id)) errors.add(`keys[${i}].id ${JSON.stringify(k.id)} is used twice: key ids must be unique`);
      keyIds.add(k.id);
      errors.check(typeof k.keyHash === 'string' && KEY_HASH.test(k.keyHash), `keys[${i}].keyHash`, k.keyHash, '"sha256:" followed by 64 hex digits (the keys file stores hashes only)');
      const same = typeof k.keyHash === 'string' ? hashes.get(k.keyHash.toLowerCase()) : undefined;
      if (same) {
        errors.add(`keys[${i}] (id ${JSON.stringify(k.id)}, tenant ${JSON.stringify(k.tenant)}) has the keyHash of key ${JSON.stringify(same.id)} (tenant ${JSON.stringify(same.tenant)}): one key belongs to one tenant; revoke one of them`);
      } else if (typeof k.keyHash === 'string') {
        hashes.set(k.keyHash.toLowerCase(), k);
      }
      if (!tenantNames.has(k.tenant)) errors.add(`keys[${i}].tenant ${JSON.stringify(k.tenant)} is not a tenant: add it to tenants, or revoke key ${k.id}`);
    });
    if (this.identity.source === 'apiKey') {
      // Every route's API-key ConfigMap holds every key; above the API server's limit the apply is refused.
      const bytes = configMapDataBytes(Object.fromEntries(this.keys.map(k => [k.id, this.apiKeyEntry(k)])));
      if (bytes > MAX_CONFIG_MAP_DATA_BYTES) {
        errors.add(`keys: the ${this.keys.length} API keys take ${bytes} bytes in each route's API-key ConfigMap, above the API server's limit of ` +
          `${MAX_CONFIG_MAP_DATA_BYTES} bytes (1 MiB) of ConfigMap data, so the apply would be refused; about ${Math.floor(MAX_CONFIG_MAP_DATA_BYTES / (bytes / this.keys.length))} keys like these fit. ` +
          'Revoke keys no longer used (`npm run keys -- revoke`), or identify tenants by a JWT claim (TenantIdentity.jwtClaim) instead');
      }
    }
    const id = this.identity;
    if (id.source === 'jwt') errors.check(CEL_IDENTIFIER.test(id.field ?? ''), 'identity (JWT claim)', id.field, 'a claim name made of letters, digits and "_", not starting with a digit');
    if (id.source === 'header') errors.check(HEADER_NAME.test(id.field ?? '') && !(id.field ?? '').startsWith(':'), 'identity (header)', id.field, 'an HTTP header name');
    errors.throwIfAny();
  }

  /** The tier of a tenant. */
  public tierOf(tenant: string): Required<TierSpec> | undefined {
    this.tierByTenant ??= new Map(this.tenants.map(t => [t.name, this.tiers.find(x => x.name === t.tier)]));
    return this.tierByTenant.get(tenant);
  }

  /** The rate-limit service's file: per tier, a limit on each tenant (each tenant has its own counter). */
  public rateLimitConfig(): RateLimitConfig {
    return {
      domain: this.domain,
      descriptors: this.tiers.map(t => ({
        key: TENANT_DESCRIPTOR_KEYS[0],
        value: t.name,
        descriptors: [{ key: TENANT_DESCRIPTOR_KEYS[1], rateLimit: { unit: SERVICE_UNIT[t.unit], requestsPerUnit: t.tokens } }],
      })),
    };
  }

  /** The descriptor entries agentgateway evaluates per request, in the order of the service's rule levels. */
  public descriptorEntries(): { name: string; expression: string }[] {
    return [
      { name: TENANT_DESCRIPTOR_KEYS[0], expression: this.identity.tierExpression(this.tenants) },
      { name: TENANT_DESCRIPTOR_KEYS[1], expression: this.identity.tenantExpression },
    ];
  }

  /** The CEL condition that selects a tier's requests (for per-replica limits). */
  public tierCondition(tier: string): string {
    return `${this.identity.tierExpression(this.tenants)} == ${JSON.stringify(tier)}`;
  }

  /** ConfigMap data for `apiKeyAuthentication`: per key, its hash and the metadata later policies read. */
  public apiKeyData(): Record<string, string> {
    const data: Record<string, string> = {};
    for (const k of [...this.keys].sort((a, b) => a.id.localeCompare(b.id))) data[k.id] = this.apiKeyEntry(k);
    return data;
  }

  // One ConfigMap value: the key's hash and the metadata later policies read.
  private apiKeyEntry(k: ApiKeyRecord): string {
    return JSON.stringify({ keyHash: String(k.keyHash).toLowerCase(), metadata: { tenant: k.tenant, tier: this.tierOf(k.tenant)?.name ?? '' } });
  }
}
