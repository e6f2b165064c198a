/**
 * Validates a custom resource against its CRD's structural schema the way the API server does on create
 * (k8s.io/apiextensions-apiserver: pruning with strict field validation, defaulting, OpenAPI schema validation,
 * list-type checks, then CEL rules unless a type error blocks them).
 */
import { CelRules } from './cel';
import { cloneJson, own } from './own';
import { StructuralSchema, ValidationRule } from './structural-schema';

/** One problem, located by a path of segments. */
export interface SchemaIssue {
  /** Where, as segments from the object root. */
  readonly path: (string | number)[];
  /** What is wrong, close to the API server's wording. */
  readonly message: string;
  /** Which kind of check. */
  readonly rule: 'schema' | 'unknown-field' | 'cel' | 'list-type';
  /** A wrong JSON type: the object's shape cannot be trusted by checks that read it. */
  readonly shape?: boolean;
}

type Path = (string | number)[];

/** Validates `object` (apiVersion, kind, metadata and the rest) against a version's schema. */
export function validateAgainstSchema(object: Record<string, any>, schema: StructuralSchema, cel: CelRules): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const blocking = { typeError: false };
  // Defaults are applied to a copy before validation and CEL, as the API server does.
  const defaulted = applyDefaults(cloneJson(object), schema);
  walk(defaulted, schema, [], issues, blocking, true);
  if (blocking.typeError) {
    issues.push({ path: [], rule: 'cel', message: 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation' });
  } else {
    runCel(defaulted, schema, [], issues, cel);
  }
  return issues;
}

/** Fills in `default`s for absent properties (and for nulls where the schema is not nullable), recursively. */
export function applyDefaults(value: any, schema: StructuralSchema | undefined): any {
  if (!schema || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    if (schema.items) for (let i = 0; i < value.length; i++) value[i] = applyDefaults(value[i], schema.items);
    return value;
  }
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    if ((value[key] === undefined || (value[key] === null && !sub.nullable)) && sub.default !== undefined) {
      value[key] = cloneJson(sub.default);
    }
    if (value[key] !== undefined) value[key] = applyDefaults(value[key], sub);
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    for (const key of Object.keys(value)) {
      if (!own(schema.properties, key)) value[key] = applyDefaults(value[key], schema.additionalProperties);
    }
  }
  return value;
}

const OBJECT_META_FIELDS = new Set([
  'name', 'generateName', 'namespace', 'labels', 'annotations', 'finalizers', 'ownerReferences', 'uid', 'resourceVersion',
  'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink',
]);

function walk(value: any, schema: StructuralSchema, path: Path, issues: SchemaIssue[], blocking: { typeError: boolean }, isRoot = false): void {
  const add = (message: string, rule: SchemaIssue['rule'] = 'schema', at: Path = path, shape = false) => issues.push({ path: at, message, rule, ...(shape ? { shape } : {}) });

  if (value === null) {
    if (!schema.nullable) add('Invalid value: "null": must not be null', 'schema', path, true);
    return;
  }
  if (!checkType(value, schema, add, blocking)) return;

  if (schema.enum && !schema.enum.some(e => deepEqual(e, value))) {
    add(`Unsupported value: ${show(value)}: supported values: ${schema.enum.map(show).join(', ')}`);
  }
  if (typeof value === 'number') checkNumber(value, schema, add);
  if (typeof value === 'string') checkString(value, schema, add);
  for (const sub of schema.allOf ?? []) walk(value, { ...sub, type: sub.type ?? schema.type }, path, issues, blocking);
  if (schema.anyOf && !schema.anyOf.some(s => quietlyValid(value, s))) add('Invalid value: must match at least one of the schemas in anyOf');
  if (schema.oneOf && schema.oneOf.filter(s => quietlyValid(value, s)).length !== 1) add('Invalid value: must match exactly one of the schemas in oneOf');
  if (schema.not && quietlyValid(value, schema.not)) add('Invalid value: must not match the schema in "not"');

  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) add(`Invalid value: ${value.length}: must have at least ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) add(`Too many: ${value.length}: must have at most ${schema.maxItems} items`);
    checkListType(value, schema, path, add);
    if (schema.items) value.forEach((item, i) => walk(item, schema.items!, [...path, i], issues, blocking));
    return;
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    if (schema.minProperties !== undefined && keys.length < schema.minProperties) add(`Invalid value: must have at least ${schema.minProperties} properties`);
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) add(`Too many: ${keys.length}: must have at most ${schema.maxProperties} properties`);
    for (const req of schema.required ?? []) {
      if (own(value, req) === undefined) add(`Required value: must have property "${req}"`, 'schema', [...path, req]);
    }
    const embedded = isRoot || schema['x-kubernetes-embedded-resource'];
    for (const key of keys) {
      const sub = own(schema.properties, key);
      if (embedded && (key === 'apiVersion' || key === 'kind') && !sub) {
        if (typeof value[key] !== 'string') add(`Invalid value: ${show(value[key])}: must be a string`, 'schema', [...path, key]);
        continue;
      }
      if (embedded && key === 'metadata') {
        checkMetadata(value.metadata, [...path, 'metadata'], issues);
        continue;
      }
      if (sub) walk(value[key], sub, [...path, key], issues, blocking);
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') walk(value[key], schema.additionalProperties, [...path, key], issues, blocking);
      else if (!schema['x-kubernetes-preserve-unknown-fields'] && schema.additionalProperties !== true) {
        add(`unknown field "${dotted([...path, key])}"`, 'unknown-field', [...path, key]);
      }
    }
  }
}

function checkType(value: any, schema: StructuralSchema, add: (m: string, rule?: SchemaIssue['rule'], at?: Path, shape?: boolean) => void, blocking: { typeError: boolean }): boolean {
  const fail = (expected: string) => {
    add(`Invalid value: ${show(value)}: must be ${expected}`, 'schema', undefined, true);
    blocking.typeError = true;
    return false;
  };
  if (schema['x-kubernetes-int-or-string']) {
    return (typeof value === 'string' || Number.isInteger(value)) ? true : fail('an integer or a string');
  }
  switch (schema.type) {
    case 'object': return typeof value === 'object' && !Array.isArray(value) ? true : fail('an object');
    case 'array': return Array.isArray(value) ? true : fail('an array');
    case 'string': return typeof value === 'string' ? true : fail('a string');
    case 'integer': return Number.isInteger(value) ? true : fail('an integer');
    case 'number': return typeof value === 'number' ? true : fail('a number');
    case 'boolean': return typeof value === 'boolean' ? true : fail('a boolean');
    default: return true;
  }
}

function checkNumber(value: number, schema: StructuralSchema, add: (m: string) => void): void {
  if (schema.minimum !== undefined && (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum)) {
    add(`Invalid value: ${value}: should be greater than ${schema.exclusiveMinimum ? '' : 'or equal to '}${schema.minimum}`);
  }
  if (schema.maximum !== undefined && (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum)) {
    add(`Invalid value: ${value}: should be less than ${schema.exclusiveMaximum ? '' : 'or equal to '}${schema.maximum}`);
  }
  if (schema.multipleOf !== undefined && value % schema.multipleOf !== 0) add(`Invalid value: ${value}: should be a multiple of ${schema.multipleOf}`);
  if (schema.format === 'int32' && (value < -(2 ** 31) || value > 2 ** 31 - 1)) add(`Invalid value: ${value}: must be a 32-bit integer (format int32)`);
  if (schema.format === 'int64' && !Number.isSafeInteger(value)) add(`Invalid value: ${value}: must be a 64-bit integer (format int64)`);
}

function checkString(value: string, schema: StructuralSchema, add: (m: string) => void): void {
  const length = [...value].length;
  if (schema.minLength !== undefined && length < schema.minLength) add(`Invalid value: ${show(value)}: should be at least ${schema.minLength} chars long`);
  if (schema.maxLength !== undefined && length > schema.maxLength) add(`Too long: may not be more than ${schema.maxLength} bytes`);
  if (schema.pattern !== undefined && !regex(schema.pattern).test(value)) add(`Invalid value: ${show(value)}: should match '${schema.pattern}'`);
  const format = schema.format ? FORMATS.get(schema.format) : undefined;
  if (format && !format(value)) add(`Invalid value: ${show(value)}: must be of format ${schema.format}`);
}

function checkListType(list: any[], schema: StructuralSchema, path: Path, add: (m: string, rule?: SchemaIssue['rule'], at?: Path) => void): void {
  const type = schema['x-kubernetes-list-type'];
  if (type === 'set') {
    list.forEach((item, i) => {
      if (list.findIndex(other => deepEqual(other, item)) < i) add(`Duplicate value: ${show(item)}`, 'list-type', [...path, i]);
    });
  } else if (type === 'map') {
    const keys = schema['x-kubernetes-list-map-keys'] ?? [];
    const seen = new Map<string, number>();
    list.forEach((item, i) => {
      if (item === null || typeof item !== 'object') return;
      const id = JSON.stringify(keys.map(k => own(item, k) ?? own(schema.items?.properties, k)?.default ?? null));
      if (seen.has(id)) add(`Duplicate value: ${JSON.stringify(Object.fromEntries(keys.map(k => [k, item[k]])))}`, 'list-type', [...path, i]);
      else seen.set(id, i);
    });
  }
}

// ObjectMeta as the API server validates it for custom resources (names, label syntax; unknown fields are errors).
function checkMetadata(meta: any, path: Path, issues: SchemaIssue[]): void {
  const add = (message: string, at: Path = path) => {
    issues.push({ path: at, message, rule: 'schema' });
  };
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) {
    add(`Invalid value: ${show(meta)}: must be an object`);
    return;
  }
  for (const key of Object.keys(meta)) if (!OBJECT_META_FIELDS.has(key)) add(`unknown field "${dotted([...path, key])}"`, [...path, key]);
  for (const field of ['labels', 'annotations'] as const) {
    const map = meta[field];
    if (map === undefined) continue;
    if (map === null || typeof map !== 'object' || Array.isArray(map)) {
      add(`Invalid value: ${show(map)}: must be a map of strings`, [...path, field]);
      continue;
    }
    for (const [k, v] of Object.entries(map)) {
      if (!isQualifiedName(k)) add(`Invalid value: ${show(k)}: a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/'`, [...path, field, k]);
      if (typeof v !== 'string') add(`Invalid value: ${show(v)}: must be a string`, [...path, field, k]);
      else if (field === 'labels' && !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v) || field === 'labels' && typeof v === 'string' && v.length > 63) {
        add(`Invalid value: ${show(v)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)`, [...path, field, k]);
      }
    }
  }
}

function isQualifiedName(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (parts.length === 2 && !(parts[0].length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(parts[0]))) return false;
  return name.length > 0 && name.length <= 63 && /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/.test(name);
}

function runCel(value: any, schema: StructuralSchema, path: Path, issues: SchemaIssue[], cel: CelRules): void {
  if (value === undefined || value === null) return;
  evalRules(schema['x-kubernetes-validations'], value, schema, path, issues, cel);
  // Rules inside allOf apply to this same value, typed by this node's schema.
  for (const sub of schema.allOf ?? []) evalRules(sub['x-kubernetes-validations'], value, schema, path, issues, cel);
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, i) => runCel(item, schema.items!, [...path, i], issues, cel));
  } else if (typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const sub = own(schema.properties, key) ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (sub) runCel(v, sub, [...path, key], issues, cel);
    }
  }
}

function evalRules(rules: ValidationRule[] | undefined, value: any, schema: StructuralSchema, path: Path, issues: SchemaIssue[], cel: CelRules): void {
  for (const rule of rules ?? []) {
    const outcome = cel.evaluate(rule, value, schema);
    if (outcome.status === 'fail' || outcome.status === 'error') {
      const at = rule.fieldPath ? [...path, ...fieldPathSegments(rule.fieldPath)] : path;
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

function quietlyValid(value: any, schema: StructuralSchema): boolean {
  const issues: SchemaIssue[] = [];
  walk(value, schema, [], issues, { typeError: false });
  return issues.length === 0;
}

const regexCache = new Map<string, RegExp>();
function regex(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) {
    re = new RegExp(pattern, 'u');
    regexCache.set(pattern, re);
  }
  return re;
}

// The formats the API server checks for custom resources (k8s.io/kube-openapi/pkg/validation/strfmt).
const FORMATS = new Map<string, (v: string) => boolean>(Object.entries({
  'date-time': v => /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v.replace(' ', 'T'))),
  'date': v => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)),
  'byte': v => /^[A-Za-z0-9+/]*={0,2}$/.test(v) && v.length % 4 === 0,
  'uuid': v => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(v),
  'ipv4': v => /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(v),
  'hostname': v => v.length <= 253 && /^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$/.test(v),
  'duration': v => /^([+-]?(\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d|w))+$/.test(v) || /^\d+\s?(ns|us|ms|s|m|h|d|w|seconds?|minutes?|hours?|days?|weeks?)$/.test(v),
}));

function deepEqual(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
}

function dotted(path: Path): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}
