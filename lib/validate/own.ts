/**
 * Reading input and schemas without inheriting: a key named like an `Object.prototype` member (`constructor`,
 * `toString`, `__proto__`) is data, and a lookup of it must not find the prototype's function.
 */

/** `o[key]` when `o` has that key itself, else undefined. */
export function own<T>(o: Readonly<Record<string, T>> | null | undefined, key: string): T | undefined {
  return o !== null && o !== undefined && Object.hasOwn(o, key) ? o[key] : undefined;
}

/** A deep copy of a JSON value with null-prototype objects (structuredClone would give them Object.prototype). */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  const out: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value)) out[key] = cloneJson((value as Record<string, unknown>)[key]);
  return out as T;
}
