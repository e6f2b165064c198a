/**
 * envoyproxy/ratelimit's configuration file, as types, a renderer and the service's own matching rule, so the stack
 * can write the file and the validator can ask "which rule would this descriptor hit?" the way the service does.
 *
 * Format: envoyproxy/ratelimit@1e50889b:README.md ("The configuration format"); loading and matching:
 * src/config/config_impl.go (`loadDescriptors`, `GetLimit`).
 */
import { yamlLibrary } from '../shared/imports';

/** The windows envoyproxy/ratelimit counts over (`rate_limit.unit`, upper-cased into RateLimitResponse.RateLimit.Unit). */
export enum RateLimitUnit {
  /** Per second. */
  SECOND = 'second',
  /** Per minute. */
  MINUTE = 'minute',
  /** Per hour. */
  HOUR = 'hour',
  /** Per day. */
  DAY = 'day',
}

/** A `rate_limit` block: the limit that applies when a request descriptor ends on this rule. */
export interface RateLimitRuleLimit {
  /** The window. */
  readonly unit: RateLimitUnit;
  /** Hits allowed per window; for a `Tokens` descriptor agentgateway sends tokens as hits, so this is tokens. */
  readonly requestsPerUnit: number;
}

/** One rule of a descriptor list: a key, an optional value, and either a limit or nested rules (or both). */
export interface RateLimitRule {
  /** Descriptor entry key it matches. */
  readonly key: string;
  /** Descriptor entry value it matches; without one it matches any value, each value counted apart. @default - any value */
  readonly value?: string;
  /** The limit when the request's descriptor ends here. @default - none (a rule without limit or children is unlimited) */
  readonly rateLimit?: RateLimitRuleLimit;
  /** Rules for the next entry of the descriptor. @default - none */
  readonly descriptors?: readonly RateLimitRule[];
}

/** One configuration file of the service: a domain and its rules. */
export interface RateLimitConfig {
  /** The domain; agentgateway's `rateLimit.global.domain` must equal it. */
  readonly domain: string;
  /** Top-level rules. */
  readonly descriptors: readonly RateLimitRule[];
}

/** The file's YAML text, in the service's snake_case keys. */
export function renderRateLimitConfig(config: RateLimitConfig): string {
  return yamlLibrary().stringify({ domain: config.domain, descriptors: config.descriptors.map(toYaml) });
}

function toYaml(rule: RateLimitRule): Record<string, unknown> {
  return {
    key: rule.key,
    ...(rule.value !== undefined ? { value: rule.value } : {}),
    ...(rule.rateLimit ? { rate_limit: { unit: rule.rateLimit.unit, requests_per_unit: rule.rateLimit.requestsPerUnit } } : {}),
    ...(rule.descriptors?.length ? { descriptors: rule.descriptors.map(toYaml) } : {}),
  };
}

/**
 * Parses a configuration file the way the service reads it (snake_case keys). Throws with the reason when it is not
 * one; unknown keys are errors, as in `config_impl.go` (`validateYamlKeys`).
 */
export function parseRateLimitConfig(text: string): RateLimitConfig {
  const doc = yamlLibrary().parse(text);
  if (typeof doc !== 'object' || doc === null || typeof doc.domain !== 'string' || doc.domain === '') {
    throw new Error('a rate-limit configuration needs a non-empty "domain"');
  }
  for (const k of Object.keys(doc)) if (k !== 'domain' && k !== 'descriptors') throw new Error(`unknown key "${k}"`);
  return { domain: doc.domain, descriptors: (doc.descriptors ?? []).map((d: any, i: number) => fromYaml(d, `descriptors[${i}]`)) };
}

const RULE_KEYS = new Set(['key', 'value', 'rate_limit', 'descriptors', 'shadow_mode', 'detailed_metric', 'value_to_metric', 'share_threshold', 'quota_mode', 'metadata']);
const LIMIT_KEYS = new Set(['unit', 'requests_per_unit', 'unlimited', 'name', 'replaces']);

function fromYaml(d: any, where: string): RateLimitRule {
  if (typeof d !== 'object' || d === null || typeof d.key !== 'string' || d.key === '') throw new Error(`${where}: a rule needs a "key"`);
  for (const k of Object.keys(d)) if (!RULE_KEYS.has(k)) throw new Error(`${where}: unknown key "${k}"`);
  let rateLimit: RateLimitRuleLimit | undefined;
  if (d.rate_limit !== undefined) {
    for (const k of Object.keys(d.rate_limit ?? {})) if (!LIMIT_KEYS.has(k)) throw new Error(`${where}.rate_limit: unknown key "${k}"`);
    const unit = String(d.rate_limit?.unit ?? '').toLowerCase();
    if (!d.rate_limit?.unlimited) {
      if (!Object.values(RateLimitUnit).includes(unit as RateLimitUnit)) throw new Error(`${where}.rate_limit: invalid rate limit unit "${d.rate_limit?.unit}"`);
      rateLimit = { unit: unit as RateLimitUnit, requestsPerUnit: Number(d.rate_limit.requests_per_unit ?? 0) };
    }
  }
  return {
    key: d.key,
    value: d.value === undefined ? undefined : String(d.value),
    rateLimit,
    descriptors: (d.descriptors ?? []).map((c: any, i: number) => fromYaml(c, `${where}.descriptors[${i}]`)),
  };
}

/** A request descriptor's entry, as agentgateway sends it. */
export interface DescriptorEntry {
  /** The entry's key, e.g. `tenant`. */
  readonly key: string;
  /** Its value for this request, e.g. the tenant's name. */
  readonly value: string;
}

/**
 * The limit the service applies to one request descriptor, or undefined when none does (the traffic goes
 * unlimited). As `GetLimit`: at each level a rule with the entry's key and value wins over a `prefix*` value, and
 * that over one with the key alone;
 * the limit is the one of the rule the last entry lands on.
 */
export function limitFor(config: RateLimitConfig, entries: readonly DescriptorEntry[]): RateLimitRuleLimit | undefined {
  let level: readonly RateLimitRule[] = config.descriptors;
  let hit: RateLimitRule | undefined;
  for (const entry of entries) {
    hit = matchRule(level, entry);
    if (!hit) return undefined;
    level = hit.descriptors ?? [];
  }
  return hit?.rateLimit;
}

// `key_value` first, then a value ending in `*` as a prefix, then the key alone (config_impl.go `GetLimit`).
function matchRule(level: readonly RateLimitRule[], entry: DescriptorEntry): RateLimitRule | undefined {
  const same = level.filter(r => r.key === entry.key);
  return same.find(r => r.value === entry.value)
    ?? same.find(r => r.value?.endsWith('*') && entry.value.startsWith(r.value.slice(0, -1)))
    ?? same.find(r => r.value === undefined);
}

/** How many leading entries of a request descriptor find a rule (the whole length when every entry does). */
export function matchDepth(config: RateLimitConfig, entries: readonly DescriptorEntry[]): number {
  let level: readonly RateLimitRule[] = config.descriptors;
  for (let i = 0; i < entries.length; i++) {
    const hit = matchRule(level, entries[i]);
    if (!hit) return i;
    level = hit.descriptors ?? [];
  }
  return entries.length;
}

/** Whether some path of rules has these keys in this order (any values) and ends on a limit. */
export function hasKeyPath(config: RateLimitConfig, keys: readonly string[]): boolean {
  const walk = (level: readonly RateLimitRule[], i: number): boolean =>
    level.some(r => r.key === keys[i] && (i === keys.length - 1 ? r.rateLimit !== undefined : walk(r.descriptors ?? [], i + 1)));
  return keys.length > 0 && walk(config.descriptors, 0);
}

/** The values rules name for the entry at `depth` along `prefix` (the tiers a config knows, say). */
export function valuesAt(config: RateLimitConfig, prefix: readonly DescriptorEntry[], key: string): string[] {
  let level: readonly RateLimitRule[] = config.descriptors;
  for (const entry of prefix) {
    const hit = matchRule(level, entry);
    if (!hit) return [];
    level = hit.descriptors ?? [];
  }
  return level.filter(r => r.key === key && r.value !== undefined).map(r => r.value!);
}
