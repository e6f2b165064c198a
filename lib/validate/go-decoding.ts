/**
 * A built-in object as the API server's Go decoding sees it, before its Go validation: what server-side apply
 * does with nulls and with integers past an int32 field's range (observed on kube-apiserver 1.34 by
 * test/differential, with server-side apply and with create). Walks the object with the generated field data
 * (imports/k8s-builtin-fields.json, see lib/cli/import-k8s-schemas.ts), which says what is a struct and what a map.
 */
import { cloneJson } from './own';

/** The field data's struct types: `{field: ref}` each. */
export type FieldTypes = readonly Record<string, string>[];

// The field data does not tell a Quantity from a string; a ResourceList's zero value is the zero Quantity.
const RESOURCE_LISTS = new Set(['limits', 'requests']);

/**
 * `value` (whose type is `ref`) as Go's decoding sees it: a null struct field is absent; a null map value is the
 * value type's zero (`""`, or `"0"` in a ResourceList) and its key stays; list items stay as they are. The same
 * object when it holds no null, else a copy.
 */
export function goDecoded(value: any, ref: string, types: FieldTypes): any {
  return hasNull(value) ? decode(value, ref, types) : value;
}

function hasNull(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  return Object.values(value).some(v => v === null || hasNull(v));
}

function decode(value: any, ref: string, types: FieldTypes, key?: string): any {
  if (value === null || typeof value !== 'object' || ref === '' || ref === '*' || ref.startsWith('~')) return value;
  if (ref.startsWith('[')) return Array.isArray(value) ? value.map(v => decode(v, ref.slice(1), types)) : value;
  const out: Record<string, unknown> = Object.create(null);
  if (ref.startsWith('{')) {
    for (const [k, v] of Object.entries(value)) out[k] = v === null ? (RESOURCE_LISTS.has(key ?? '') ? '0' : '') : decode(v, ref.slice(1), types);
    return out;
  }
  const fields = types[Number(ref)] ?? {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = decode(v, Object.hasOwn(fields, k) ? fields[k] : '', types, k);
  return out;
}

/**
 * Go's integer conversion of int32 fields past their range: 2147483648 becomes -2147483648. Returns `root` with
 * the values at `paths` wrapped (a copy when there is any).
 */
export function wrapInt32(root: any, paths: readonly (readonly (string | number)[])[]): any {
  if (paths.length === 0) return root;
  const copy = cloneJson(root);
  for (const path of paths) {
    const parent = path.slice(0, -1).reduce((v: any, k) => v?.[k], copy);
    const key = path[path.length - 1];
    const v = parent?.[key];
    if (typeof v === 'number') parent[key] = ((((v + 2 ** 31) % 2 ** 32) + 2 ** 32) % 2 ** 32) - 2 ** 31;
  }
  return copy;
}
