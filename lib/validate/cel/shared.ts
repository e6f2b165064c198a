/** Helpers shared by the Kubernetes CEL libraries: scalar type shorthands and a string-keyed memo. */
import { CelScalar, listType } from '@bufbuild/cel';

export const { INT, DOUBLE, BOOL, STRING, DYN } = CelScalar;
export const LIST = listType(DYN);

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
