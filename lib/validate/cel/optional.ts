/**
 * The slice of CEL optionals the Kubernetes libraries need: `optional.none()`, and the `optional(list<string>)`
 * that `<Format>.validate()` returns (see ./format).
 * https://pkg.go.dev/github.com/google/cel-go/cel#OptionalTypes
 */
import { celList, celMethod, listType, type CelFunc } from '@bufbuild/cel';
import { fieldsOf, opaque, OPTIONAL_DESC, OPTIONAL_T } from './opaque-types';
import { BOOL, DYN, STRING } from './shared';

/** `optional.none()` for `oldSelf` of optionalOldSelf rules on create. */
export const OPTIONAL_NONE = opaque(OPTIONAL_DESC, { present: false, values: [] });

export const OPTIONAL_FUNCS: CelFunc[] = [
  celMethod('hasValue', OPTIONAL_T, [], BOOL, function () {
    return fieldsOf<{ present: boolean }>(this).present;
  }),
  celMethod('value', OPTIONAL_T, [], listType(STRING), function () {
    const { present, values } = fieldsOf<{ present: boolean; values: string[] }>(this);
    if (!present) throw new Error('optional.none() dereference');
    return values;
  }),
  celMethod('orValue', OPTIONAL_T, [DYN], DYN, function (fallback) {
    const { present, values } = fieldsOf<{ present: boolean; values: string[] }>(this);
    return present ? celList(values) : fallback;
  }),
];
