/**
 * A built-in object as the API server's Go decoding sees it, before its Go validation: what server-side apply
 * does with nulls and with integers past an int32 field's range (observed on kube-apiserver 1.34 by
 * test/differential, with server-side apply and with create).
 */

// Go maps among the fields the stack's kinds use (a Service's `selector` is one; a LabelSelector's is a struct).
const MAP_FIELDS = new Set(['labels', 'annotations', 'matchLabels', 'data', 'stringData', 'binaryData', 'limits', 'requests', 'nodeSelector']);

/**
 * A copy of `value` as Go's decoding sees it: a null struct field is absent; a null map value is the value type's
 * zero (`""`, a zero Quantity), and its key stays. List items stay as they are.
 */
export function withoutNullFields(value: any, parent?: string): any {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(v => withoutNullFields(v));
  const map = parent !== undefined && MAP_FIELDS.has(parent);
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(value)) {
    if (v !== null) out[k] = withoutNullFields(v, map ? undefined : k);
    else if (map || (parent === 'selector' && k !== 'matchLabels' && k !== 'matchExpressions')) out[k] = parent === 'limits' || parent === 'requests' ? '0' : '';
  }
  return out;
}

/** Go's integer conversion of an int32 field past its range: 2147483648 becomes -2147483648 (in place). */
export function wrapInt32(root: any, path: readonly (string | number)[]): void {
  const parent = path.slice(0, -1).reduce((v: any, k) => v?.[k], root);
  const key = path[path.length - 1];
  const v = parent?.[key];
  if (typeof v === 'number') parent[key] = ((((v + 2 ** 31) % 2 ** 32) + 2 ** 32) % 2 ** 32) - 2 ** 31;
}
