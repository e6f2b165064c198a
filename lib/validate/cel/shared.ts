/** Helpers shared by the Kubernetes CEL libraries: scalar type shorthands and a string-keyed memo. */
import { CelScalar, listType } from '@bufbuild/cel';

// Typed through `typeof` so the emitted declarations can name them (the library types use a private symbol).
export const INT: typeof CelScalar.INT = CelScalar.INT;
export const DOUBLE: typeof CelScalar.DOUBLE = CelScalar.DOUBLE;
export const BOOL: typeof CelScalar.BOOL = CelScalar.BOOL;
export const STRING: typeof CelScalar.STRING = CelScalar.STRING;
export const DYN: typeof CelScalar.DYN = CelScalar.DYN;
export const LIST: ReturnType<typeof listType<typeof CelScalar.DYN>> = listType(DYN);

export function memoize<T>(compute: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return key => {
    let value = cache.get(key);
    if (value === undefined) {
      value = compute(key);
      cache.set(key, value);
    }
    return value;
  };
}
