/** The `x-kubernetes-validations` rules of a structural schema, run over a (pruned, defaulted) object. */
import type { CelRules } from './cel';
import type { CelValueMemo } from './cel/values';
import { own } from './own';
import type { SchemaIssue } from './structural';
import type { StructuralSchema, ValidationRule } from './structural-schema';

type Path = (string | number)[];

export function runCel(value: any, schema: StructuralSchema, path: Path, issues: SchemaIssue[], cel: CelRules, memo: CelValueMemo): void {
  if (value === undefined || value === null || !hasRules(schema)) return;
  evalRules(schema['x-kubernetes-validations'], value, schema, path, issues, cel, memo);
  // Rules inside allOf apply to this same value, typed by this node's schema.
  for (const sub of schema.allOf ?? []) evalRules(sub['x-kubernetes-validations'], value, schema, path, issues, cel, memo);
  if (Array.isArray(value)) {
    if (schema.items) {
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        runCel(value[i], schema.items, path, issues, cel, memo);
        path.pop();
      }
    }
  } else if (typeof value === 'object') {
    const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    for (const key of Object.keys(value)) {
      const sub = own(schema.properties, key) ?? additional;
      if (!sub) continue;
      path.push(key);
      runCel(value[key], sub, path, issues, cel, memo);
      path.pop();
    }
  }
}

// Whether a schema node has CEL rules at or below it: most of an InferenceService's PodSpec has none.
const rulesBelow = new WeakMap<StructuralSchema, boolean>();
function hasRules(schema: StructuralSchema): boolean {
  let known = rulesBelow.get(schema);
  if (known === undefined) {
    rulesBelow.set(schema, false); // a recursive schema does not loop
    known = (schema['x-kubernetes-validations']?.length ?? 0) > 0 ||
      (schema.allOf ?? []).some(s => (s['x-kubernetes-validations']?.length ?? 0) > 0) ||
      Object.values(schema.properties ?? {}).some(hasRules) ||
      (schema.items !== undefined && hasRules(schema.items)) ||
      (typeof schema.additionalProperties === 'object' && hasRules(schema.additionalProperties));
    rulesBelow.set(schema, known);
  }
  return known;
}

function evalRules(rules: ValidationRule[] | undefined, value: any, schema: StructuralSchema, path: Path, issues: SchemaIssue[], cel: CelRules, memo: CelValueMemo): void {
  for (const rule of rules ?? []) {
    const outcome = cel.evaluate(rule, value, schema, memo);
    if (outcome.status === 'fail' || outcome.status === 'error') {
      const at = rule.fieldPath ? [...path, ...fieldPathSegments(rule.fieldPath)] : [...path];
      issues.push({ path: at, rule: 'cel', message: outcome.status === 'fail' ? `Invalid value: ${outcome.message}` : outcome.message });
    }
  }
}

function fieldPathSegments(fieldPath: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['([^']*)'\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(fieldPath))) out.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]));
  return out;
}

