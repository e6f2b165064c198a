/** Small helpers over JSON values shared by the schema checks. */

/** JSON equality regardless of key order (enum values are JSON). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return a === b || canonical(a) === canonical(b);
}

/** A JSON text with sorted keys: equal JSON values give equal texts. */
export function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  return `{${Object.keys(v).sort().map(k => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** A value as findings quote it. */
export function show(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

/** The API server's field path: `spec.template.spec.containers[0].name`. */
export function dotted(path: readonly (string | number)[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}
