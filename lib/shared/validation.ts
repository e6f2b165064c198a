import { Construct, IConstruct } from 'constructs';

/**
 * Collects what is wrong with a construct's props, so the user sees every mistake in one run, then throws one
 * error whose lines each name the construct, the prop, the bad value and what would be valid.
 */
export class PropErrors {
  private readonly problems: string[] = [];

  /**
   * @param kind the construct's class name, e.g. `TokenBudget`
   * @param where the construct (its path is used) or a path
   */
  constructor(private readonly kind: string, private readonly where: Construct | string) {}

  /** Records `prop must be <expected>, got <value>` unless `ok`. */
  public check(ok: boolean, prop: string, value: unknown, expected: string): this {
    if (!ok) this.problems.push(`${prop} must be ${expected}, got ${show(value)}`);
    return this;
  }

  /** Records a free-form problem. */
  public add(message: string): this {
    this.problems.push(message);
    return this;
  }

  /** Throws one error listing every recorded problem, if any. */
  public throwIfAny(): void {
    if (this.problems.length === 0) return;
    const path = typeof this.where === 'string' ? this.where : this.where.node.path;
    const head = `${this.kind} ${path}`;
    throw new Error(this.problems.length === 1
      ? `${head}: ${this.problems[0]}`
      : `${head}: ${this.problems.length} problems:\n${this.problems.map(p => `  - ${p}`).join('\n')}`);
  }
}

/** A value as a message shows it: strings quoted; NaN, Infinity, undefined and functions by name, never as `null`. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `a function (${value.name || 'anonymous'})`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// Gateway API's Hostname (RFC 1123, lower case, optional leading wildcard label).
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Expectation text for a DNS-1123 label, used in error messages. */
export const DNS1123_LABEL_RULE = 'a DNS-1123 label (at most 63 lower-case letters, digits or "-", starting and ending with a letter or digit)';
/** Expectation text for a DNS-1123 subdomain. */
export const DNS1123_SUBDOMAIN_RULE = 'a DNS-1123 subdomain (at most 253 characters: lower-case labels separated by ".")';
/** Expectation text for an RFC 1123 host name. */
export const HOSTNAME_RULE = 'an RFC 1123 host name (lower-case labels separated by ".", optionally starting with "*.", at most 253 characters)';

/** A DNS-1123 label: namespaces, Service names, most short names. */
export function isDns1123Label(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 63 && DNS1123_LABEL.test(value);
}

/** A DNS-1123 subdomain: most object names. */
export function isDns1123Subdomain(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/** An RFC 1123 host name as Gateway API accepts it. */
export function isHostname(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 253 && HOSTNAME.test(value) &&
    value.split('.').every(l => l.length <= 63);
}

// apimachinery validation.IsQualifiedName's name part and IsValidLabelValue's pattern.
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Expectation text for a label key. */
export const LABEL_KEY_RULE = 'a label key: a name of at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or ' +
  'digit, optionally after a DNS-1123 subdomain prefix and "/" (e.g. "serving.kserve.io/gateway")';
/** Expectation text for a label value. */
export const LABEL_VALUE_RULE = 'a label value: empty, or at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';

/** A label key as the API server accepts it (apimachinery `IsQualifiedName`). */
export function isLabelKey(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const parts = value.split('/');
  const name = parts[parts.length - 1];
  return parts.length <= 2 && (parts.length === 1 || isDns1123Subdomain(parts[0])) && name.length <= 63 && QUALIFIED_NAME.test(name);
}

/** A label value as the API server accepts it (apimachinery `IsValidLabelValue`). */
export function isLabelValue(value: unknown): value is string {
  return typeof value === 'string' && (value === '' || (value.length <= 63 && QUALIFIED_NAME.test(value)));
}

/** Records every key and value of `labels` (a prop's value) that the API server would refuse, naming each. */
export function checkLabels(errors: PropErrors, prop: string, labels: unknown): PropErrors {
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) return errors.check(false, prop, labels, 'a map of label keys to label values');
  for (const [key, value] of Object.entries(labels)) {
    errors.check(isLabelKey(key), `${prop} key`, key, LABEL_KEY_RULE);
    errors.check(isLabelValue(value), `${prop}[${JSON.stringify(key)}]`, value, LABEL_VALUE_RULE);
  }
  return errors;
}

/** A whole number in [min, max]. */
export function isIntInRange(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** A TCP/UDP port, 1..65535. */
export function isPort(value: unknown): value is number {
  return isIntInRange(value, 1, 65535);
}

// k8s.io/apimachinery/pkg/api/resource/quantity.go: <signedNumber><suffix>, where the suffix is a binary SI
// suffix, a decimal SI suffix, or a decimal exponent.
const QUANTITY = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;
const SUFFIX_FACTOR: Record<string, number> = {
  'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'Pi': 2 ** 50, 'Ei': 2 ** 60,
  'n': 1e-9, 'u': 1e-6, 'm': 1e-3, '': 1, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18,
};

/** Expectation text for a Kubernetes resource quantity. */
export const QUANTITY_RULE = 'a Kubernetes quantity such as "100m", "0.5", "128Mi" or "1G"';

/** The numeric value of a Kubernetes quantity, or undefined when it is not one. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = QUANTITY.exec(value);
  if (!m) return undefined;
  const suffix = m[2] ?? '';
  const factor = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIX_FACTOR[suffix];
  return Number(m[1]) * factor;
}

/**
 * Throws at once, before anything reads them, for props that are not an object or lack a required prop: the
 * construct's path, the prop and what was given, never a raw TypeError.
 */
export function checkProps(kind: string, scope: IConstruct, props: unknown, required: readonly string[] = []): void {
  const head = `${kind} ${scope.node.path}`;
  if (props === null || typeof props !== 'object' || Array.isArray(props)) {
    throw new Error(`${head}: props must be an object${required.length ? ` with ${required.join(', ')}` : ''}, got ${show(props)}`);
  }
  const missing = required.filter(k => (props as Record<string, unknown>)[k] === undefined || (props as Record<string, unknown>)[k] === null);
  if (missing.length > 0) {
    throw new Error(`${head}: ${missing.map(k => `${k} is required, got ${show((props as Record<string, unknown>)[k])}`).join('; ')}`);
  }
}
