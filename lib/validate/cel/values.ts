/**
 * JSON → CEL values, typed by the structural schema the way the API server types them
 * (apiserver pkg/cel/common/values.go): integer → int, number → double, int-or-string → int or string,
 * string formats byte/duration/date/date-time → bytes/duration/timestamp, and escaped property names.
 */
import { celList, celMap, isCelError, type CelInput } from '@bufbuild/cel';
import type { StructuralSchema } from '../structural-schema';
import { own } from '../own';
import { toDuration, toTimestamp } from './operators';

// prettier-ignore
const CEL_RESERVED = new Set([
  'true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let',
  'loop', 'package', 'namespace', 'return', 'var', 'void', 'while',
]);

/**
 * A property name as CEL rules spell it (apiserver pkg/cel/escaping.go): `__` → `__underscores__`, `.` → `__dot__`,
 * `-` → `__dash__`, `/` → `__slash__`, reserved words → `__word__`; undefined for names CEL cannot reach.
 */
export function escapeFieldName(name: string): string | undefined {
  if (escaped.has(name)) return escaped.get(name);
  const out = escapeUncached(name);
  escaped.set(name, out);
  return out;
}

// Property names come from schemas, a small set: each is escaped once per process.
const escaped = new Map<string, string | undefined>();

function escapeUncached(name: string): string | undefined {
  if (!/^[a-zA-Z_.\-/][a-zA-Z0-9_.\-/]*$/.test(name)) return undefined;
  if (CEL_RESERVED.has(name)) return `__${name}__`;
  const replacements: Record<string, string> = { __: '__underscores__', '.': '__dot__', '-': '__dash__', '/': '__slash__' };
  return name.replace(/__|[.\-/]/g, m => replacements[m]);
}

/** A JSON value without a schema: whole numbers are ints, as the API server decodes them (int64 first). */
function dynamicToCel(value: unknown): CelInput {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return celList(value.map(dynamicToCel));
  if (value !== null && typeof value === 'object') {
    return celMap(new Map(Object.entries(value).flatMap(([k, v]) => (v === undefined ? [] : [[k, dynamicToCel(v)]]))));
  }
  return value as CelInput;
}

function stringToCel(value: string, format: string | undefined): CelInput {
  const converted =
    format === 'byte' ? (/^[A-Za-z0-9+/]*={0,2}$/.test(value) ? Uint8Array.from(Buffer.from(value, 'base64')) : undefined)
    : format === 'duration' ? toDuration(value)
    : format === 'date' ? toTimestamp(`${value}T00:00:00Z`)
    : format === 'date-time' ? toTimestamp(value)
    : value;
  // A value that does not parse in its format fails schema validation anyway; keep the string.
  return converted === undefined || isCelError(converted) ? value : (converted as CelInput);
}

function objectToCel(value: Record<string, unknown>, schema: StructuralSchema, memo?: CelValueMemo): CelInput {
  const entries = new Map<string, CelInput>();
  const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  const open = schema['x-kubernetes-preserve-unknown-fields'] || schema.additionalProperties === true || (!schema.properties && !additional);
  for (const [key, field] of Object.entries(value)) {
    if (field === undefined) continue;
    const propertySchema = own(schema.properties, key);
    if (propertySchema) {
      const name = escapeFieldName(key);
      if (name !== undefined) entries.set(name, toCelValue(field, propertySchema, memo));
    } else if (additional) {
      entries.set(key, toCelValue(field, additional, memo)); // map keys are data, never escaped
    } else if (open) {
      entries.set(key, dynamicToCel(field));
    }
  }
  return celMap(entries);
}

/** Conversions already made for one object, by value and schema (rules at every level bind nested parts of it). */
export type CelValueMemo = Map<object, Map<StructuralSchema, CelInput>>;

/** `value` (a JSON value at `schema`) as the CEL value the API server binds to `self`. */
export function toCelValue(value: unknown, schema: StructuralSchema | undefined, memo?: CelValueMemo): CelInput {
  if (value === null || value === undefined) return null;
  // Only values that rules bind are worth remembering; the rest are converted once anyway.
  if (!memo || typeof value !== 'object' || !schema?.['x-kubernetes-validations']) return convert(value, schema, memo);
  let bySchema = memo.get(value);
  if (!bySchema) memo.set(value, (bySchema = new Map()));
  let out = bySchema.get(schema);
  if (out === undefined) bySchema.set(schema, (out = convert(value, schema, memo)));
  return out;
}

function convert(value: unknown, schema: StructuralSchema | undefined, memo?: CelValueMemo): CelInput {
  if (!schema) return dynamicToCel(value);
  if (schema['x-kubernetes-int-or-string']) return dynamicToCel(value);
  switch (schema.type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : dynamicToCel(value);
    case 'number':
      return typeof value === 'number' ? value : dynamicToCel(value);
    case 'string':
      return typeof value === 'string' ? stringToCel(value, schema.format) : dynamicToCel(value);
    case 'array':
      return Array.isArray(value) ? celList(value.map(item => toCelValue(item, schema.items, memo))) : dynamicToCel(value);
    case 'object':
      return typeof value === 'object' && !Array.isArray(value) ? objectToCel(value as Record<string, unknown>, schema, memo) : dynamicToCel(value);
    default: {
      const isObject = typeof value === 'object' && !Array.isArray(value);
      return isObject && schema.properties ? objectToCel(value as Record<string, unknown>, schema, memo) : dynamicToCel(value);
    }
  }
}
