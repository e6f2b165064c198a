/**
 * Validates a custom resource against its CRD's structural schema the way the API server does on create
 * (k8s.io/apiextensions-apiserver: pruning with strict field validation, defaulting, OpenAPI schema validation,
 * list-type checks, then CEL rules unless a type error blocks them).
 */
import type { CelRules } from './cel';
import { re2Tester } from './cel/regex';
import { formatCheck } from './formats';
import { canonical, dotted, jsonEqual, show } from './json-values';
import { checkEmbedded, checkMetadata } from './object-meta';
import { cloneJson, own } from './own';
import { runCel } from './schema-cel';
import { StructuralSchema } from './structural-schema';

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

/**
 * Validates `object` (apiVersion, kind, metadata and the rest) against a version's schema; `object` is pruned and
 * defaulted in place, so it ends up as the server would store it. In the API server's order
 * (apiextensions-apiserver:pkg/apiserver/customresource_handler.go `unstructuredSchemaCoercer.apply`, then the
 * defaulter, then pkg/registry/customresource/validator.go): prune unknown fields (reported: strict field
 * validation), replace non-nullable nulls that have a default, apply defaults, validate the OpenAPI schema,
 * the list types and embedded ObjectMeta, then CEL unless a type error blocks it.
 */
export function validateAgainstSchema(object: Record<string, any>, schema: StructuralSchema, cel: CelRules): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const root = prepare(object, schema, [], issues, true) as Record<string, unknown>;
  // customresource_handler.go: apiVersion and kind must be strings; metadata is decoded as ObjectMeta.
  for (const key of ['apiVersion', 'kind']) {
    if (Object.hasOwn(root, key) && typeof root[key] !== 'string') issues.push({ path: [key], rule: 'schema', message: `Invalid value: ${show(root[key])}: must be a string`, shape: true });
  }
  if (Object.hasOwn(root, 'metadata')) checkMetadata(root.metadata, ['metadata'], issues);
  const sink: Sink = { issues, typeError: false };
  validate(root, schema, [], sink);
  if (sink.typeError) {
    issues.push({ path: [], rule: 'cel', message: 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation' });
  } else {
    runCel(root, schema, [], issues, cel, new Map());
  }
  return issues;
}

// pruning/algorithm.go `metaFields`: kept at the root and in embedded resources, validated as ObjectMeta/strings.
const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/** Properties that have a `default`, per schema node (the server's Default walks s.Properties for them). */
const defaultedProperties = new WeakMap<StructuralSchema, [string, StructuralSchema][]>();
function withDefaults(schema: StructuralSchema): [string, StructuralSchema][] {
  let out = defaultedProperties.get(schema);
  if (!out) {
    out = Object.entries(schema.properties ?? {}).filter(([, sub]) => sub.default !== undefined);
    defaultedProperties.set(schema, out);
  }
  return out;
}

/**
 * Makes `value` what the server stores before validation, in place and in one pass (`path` is a stack, copied only
 * into findings):
 * - pruning/algorithm.go `prune`/`skipPrune`: fields the structural schema (properties, additionalProperties, items;
 *   never the branches of allOf/anyOf/oneOf/not) does not declare are unknown, except under
 *   x-kubernetes-preserve-unknown-fields (which also keeps them in the items of its lists) and the meta fields of
 *   the root and of embedded resources;
 * - a null where the schema is not nullable is kept, and refused as a type error unless the schema has a default
 *   (observed on kube-apiserver 1.34 by test/differential: prunenulls.go does not run on a request's body);
 * - defaulting/algorithm.go `Default`: absent properties, and non-nullable nulls, get the schema's default.
 */
function prepare(value: unknown, schema: StructuralSchema | undefined, path: Path, issues: SchemaIssue[], isRoot = false, preserving = false): unknown {
  if (value === null || typeof value !== 'object') return value;
  const preserve = preserving || schema?.['x-kubernetes-preserve-unknown-fields'] === true;
  if (Array.isArray(value)) {
    const items = schema?.items;
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      value[i] = value[i] === null && items && !items.nullable && items.default !== undefined
        ? cloneJson(items.default)
        : prepare(value[i], items, path, issues, false, preserve);
      path.pop();
    }
    return value;
  }
  const object = value as Record<string, unknown>;
  const embedded = isRoot || schema?.['x-kubernetes-embedded-resource'] === true;
  const additional = schema?.additionalProperties;
  for (const key of Object.keys(object)) {
    // PruneWithOptions treats the resource root as an embedded resource.
    if (embedded && META_FIELDS.has(key)) continue;
    const sub = own(schema?.properties, key) ?? (typeof additional === 'object' ? additional : undefined);
    if (sub === undefined && additional !== true) {
      if (!preserve) {
        path.push(key);
        issues.push({ path: [...path], rule: 'unknown-field', message: `unknown field "${dotted(path)}"` });
        path.pop();
        delete object[key];
      }
      continue;
    }
    const v = object[key];
    // Observed on kube-apiserver 1.34 (test/differential): a null without a default is not dropped from a request,
    // neither by server-side apply nor by create; validation refuses it as a type error.
    if (v === null && sub && !sub.nullable && sub.default !== undefined) {
      object[key] = cloneJson(sub.default);
      continue;
    }
    // additionalProperties: true has no structural schema: below it everything is pruned (prune(v, nil)).
    path.push(key);
    object[key] = prepare(v, sub, path, issues);
    path.pop();
  }
  if (schema) {
    for (const [key, sub] of withDefaults(schema)) {
      if (!Object.hasOwn(object, key)) object[key] = prepare(cloneJson(sub.default), sub, [], []);
    }
  }
  return object;
}

/** Where validation findings go; `typeError` blocks CEL (apiextensions strategy.go hasBlockingErr). */
interface Sink {
  readonly issues: SchemaIssue[];
  typeError: boolean;
}

// A plain function, not a closure per call: validation runs once per node of every object.
function report(sink: Sink, path: Path, message: string, shape = false): void {
  sink.issues.push({ path: [...path], message, rule: 'schema', ...(shape ? { shape } : {}) });
  if (shape) sink.typeError = true;
}

/**
 * kube-openapi:pkg/validation/validate schema validation of one value: type and nullable, format, enum, numbers,
 * strings, objects (required, properties, additionalProperties), arrays, and the junctors. Junctor branches are
 * validated as schemas of their own, which constrain but declare no fields.
 */
function validate(value: unknown, schema: StructuralSchema, path: Path, sink: Sink): void {
  if (value === null || value === undefined) {
    // schema.go: a null runs the type validator and the enum check only.
    if (!schema.nullable && (schema.type || schema['x-kubernetes-int-or-string'])) report(sink, path, 'Invalid value: "null": must not be null', true);
    else if (schema.enum && !schema.enum.some(e => e === null)) report(sink, path, `Unsupported value: null: supported values: ${schema.enum.map(show).join(', ')}`);
    return;
  }
  if (!checkType(value, schema, path, sink)) return;
  if (schema.enum && !schema.enum.some(e => jsonEqual(e, value))) {
    report(sink, path, `Unsupported value: ${show(value)}: supported values: ${schema.enum.map(show).join(', ')}`);
  }
  if (typeof value === 'number') checkNumber(value, schema, path, sink);
  else if (typeof value === 'string') checkString(value, schema, path, sink);
  else if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) report(sink, path, `Invalid value: ${value.length}: must have at least ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) report(sink, path, `Too many: ${value.length}: must have at most ${schema.maxItems} items`);
    if (schema.uniqueItems && new Set(value.map(canonical)).size !== value.length) report(sink, path, 'Invalid value: must not have duplicate items');
    checkListType(value, schema, [...path], sink.issues);
    if (schema.items) {
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        validate(value[i], schema.items, path, sink);
        path.pop();
      }
    }
  } else if (typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object);
    if (schema.minProperties !== undefined && keys.length < schema.minProperties) report(sink, path, `Invalid value: must have at least ${schema.minProperties} properties`);
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) report(sink, path, `Too many: ${keys.length}: must have at most ${schema.maxProperties} properties`);
    for (const req of schema.required ?? []) {
      if (!Object.hasOwn(object, req)) report(sink, [...path, req], `Required value: must have property "${req}"`);
    }
    if (schema['x-kubernetes-embedded-resource']) checkEmbedded(object, [...path], sink.issues);
    const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    for (const key of keys) {
      const sub = own(schema.properties, key) ?? additional;
      if (!sub) continue;
      path.push(key);
      validate(object[key], sub, path, sink);
      path.pop();
    }
  }
  for (const sub of schema.allOf ?? []) validate(value, sub, path, sink);
  if (schema.anyOf && !schema.anyOf.some(s => quietlyValid(value, s))) report(sink, path, 'Invalid value: must match at least one of the schemas in anyOf');
  if (schema.oneOf && schema.oneOf.filter(s => quietlyValid(value, s)).length !== 1) report(sink, path, 'Invalid value: must match exactly one of the schemas in oneOf');
  if (schema.not && quietlyValid(value, schema.not)) report(sink, path, 'Invalid value: must not match the schema in "not"');
}

function quietlyValid(value: unknown, schema: StructuralSchema): boolean {
  const sink: Sink = { issues: [], typeError: false };
  validate(value, schema, [], sink);
  return sink.issues.length === 0;
}

// 2^53: swag.IsFloat64AJSONInteger's bound for a decoded number to count as an integer.
const MAX_JSON_INTEGER = 2 ** 53;

function isJsonInteger(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= MAX_JSON_INTEGER;
}

function checkType(value: unknown, schema: StructuralSchema, path: Path, sink: Sink): boolean {
  const ok = typeMatches(value, schema);
  if (ok !== true) report(sink, path, `Invalid value: ${show(value)}: must be ${ok}`, true);
  return ok === true;
}

/** true, or what the value should have been. */
function typeMatches(value: unknown, schema: StructuralSchema): true | string {
  // validation.go ConvertJSONSchemaProps: int-or-string becomes type [integer, string].
  if (schema['x-kubernetes-int-or-string']) return typeof value === 'string' || isJsonInteger(value) ? true : 'an integer or a string';
  switch (schema.type) {
    case 'object': return typeof value === 'object' && !Array.isArray(value) ? true : 'an object';
    case 'array': return Array.isArray(value) ? true : 'an array';
    case 'string': return typeof value === 'string' ? true : 'a string';
    case 'integer': return isJsonInteger(value) ? true : 'an integer';
    case 'number': return typeof value === 'number' ? true : 'a number';
    case 'boolean': return typeof value === 'boolean' ? true : 'a boolean';
    default: return true;
  }
}

// kube-openapi validate/values.go IsValueValidAgainstRange: int64 and float (float32) must fit their type;
// formats.go keeps only these numeric formats (others are stripped).
const FLOAT32_MAX = 3.4028234663852886e38;

function checkNumber(value: number, schema: StructuralSchema, path: Path, sink: Sink): void {
  if (schema.minimum !== undefined && (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum)) {
    report(sink, path, `Invalid value: ${value}: should be greater than ${schema.exclusiveMinimum ? '' : 'or equal to '}${schema.minimum}`);
  }
  if (schema.maximum !== undefined && (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum)) {
    report(sink, path, `Invalid value: ${value}: should be less than ${schema.exclusiveMaximum ? '' : 'or equal to '}${schema.maximum}`);
  }
  // validate/helpers.go: a multiple when value/factor is a whole number.
  if (schema.multipleOf !== undefined && !Number.isInteger(value / schema.multipleOf)) report(sink, path, `Invalid value: ${value}: should be a multiple of ${schema.multipleOf}`);
  const integerType = schema.type === 'integer' || schema['x-kubernetes-int-or-string'];
  // int32 is not range-checked for custom resources: a 1.34 server accepts 2147483648 in a `format: int32` field
  // (observed by test/differential, with server-side apply and with create).
  if (integerType && schema.format === 'int64' && (value < -(2 ** 63) || value >= 2 ** 63)) report(sink, path, `Invalid value: ${value}: must be a 64-bit integer (format int64)`);
  if (schema.type === 'number' && schema.format === 'float' && Math.abs(value) > FLOAT32_MAX) report(sink, path, `Invalid value: ${value}: must be a 32-bit float (format float)`);
}

function checkString(value: string, schema: StructuralSchema, path: Path, sink: Sink): void {
  // utf8.RuneCountInString: code points, not UTF-16 units.
  const length = schema.minLength !== undefined || schema.maxLength !== undefined ? [...value].length : 0;
  if (schema.minLength !== undefined && length < schema.minLength) report(sink, path, `Invalid value: ${show(value)}: should be at least ${schema.minLength} chars long`);
  if (schema.maxLength !== undefined && length > schema.maxLength) report(sink, path, `Too long: may not be more than ${schema.maxLength} bytes`);
  if (schema.pattern !== undefined) {
    const matches = patternMatches(schema.pattern, value);
    if (matches === undefined) report(sink, path, `Invalid value: the schema's pattern '${schema.pattern}' is not a valid RE2 expression (a CRD with it is refused)`);
    else if (!matches) report(sink, path, `Invalid value: ${show(value)}: should match '${schema.pattern}'`);
  }
  const format = schema.format ? formatCheck(schema.format, schema.type) : undefined;
  if (format && !format(value)) report(sink, path, `Invalid value: ${show(value)}: must be of format ${schema.format}`);
}

/** Go's regexp.MatchString (RE2, unanchored) decides, as kube-openapi's pattern validator does; undefined if invalid. */
function patternMatches(pattern: string, value: string): boolean | undefined {
  try {
    return re2Tester(pattern)(value);
  } catch {
    return undefined;
  }
}

// listtype/validation.go: sets are unique by value, maps by their keys (defaults applied); linear in the list.
// Server-side apply refuses a duplicate (and a map entry without any key) before validation, naming the list
// (`.spec.x: duplicate entries for key [name="a"]`, observed by test/differential), so the finding is at the list.
function checkListType(list: unknown[], schema: StructuralSchema, path: Path, issues: SchemaIssue[]): void {
  const type = schema['x-kubernetes-list-type'];
  const duplicate = (message: string, i: number) => issues.push({ path: [...path], message: `${message} (item ${i})`, rule: 'list-type' });
  if (type === 'set') {
    const seen = new Set<string>();
    list.forEach((item, i) => {
      const id = canonical(item);
      if (seen.has(id)) duplicate(`Duplicate value: ${show(item)}`, i);
      else seen.add(id);
    });
  } else if (type === 'map') {
    const keys = schema['x-kubernetes-list-map-keys'] ?? [];
    const seen = new Set<string>();
    list.forEach((item, i) => {
      if (item === null || typeof item !== 'object') return;
      if (keys.length > 0 && keys.every(k => own(item as Record<string, unknown>, k) === undefined && own(schema.items?.properties, k)?.default === undefined)) {
        duplicate(`Invalid value: an element of this associative list omits all its key fields ${JSON.stringify(keys)}`, i);
        return;
      }
      const id = canonical(keys.map(k => own(item as Record<string, unknown>, k) ?? null));
      if (seen.has(id)) duplicate(`Duplicate value: ${JSON.stringify(Object.fromEntries(keys.map(k => [k, own(item as Record<string, unknown>, k)])))}`, i);
      else seen.add(id);
    });
  }
}
