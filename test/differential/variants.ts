/**
 * Variants of real objects, derived from their schemas: each breaks or stretches one rule the schema states (a
 * required field dropped, a type changed, an integer past its bound, an enum value misspelled, a name too long or
 * with a bad character, an unknown field, a set or map list with a duplicate, a CEL rule's condition flipped, a
 * quantity, IP, CIDR or URL malformed, null where null is not allowed), or stays within it (a value at its bound,
 * another enum value, a name at its longest). Seeded and deterministic: the same objects, schemas and seed give
 * the same variants in the same order.
 *
 * Dev and test tooling: the library never imports this file.
 */
import { isFreeForm, isIntOrString, isQuantity, propertySchema, SchemaNode, SchemaSource } from './schemas';

export const CATEGORIES = ['required', 'type', 'bound', 'enum', 'name', 'label', 'unknown-field', 'list-set', 'cel', 'quantity', 'format', 'pattern', 'null', 'valid'] as const;
/** The rule a variant breaks (or, for `valid`, stays within). */
export type Category = typeof CATEGORIES[number];

/** One generated case. */
export interface Variant {
  /** Stable id: `<base>~<category>-<n>`. */
  readonly id: string;
  readonly category: Category;
  /** What was changed, in words. */
  readonly description: string;
  /** The changed object. */
  readonly object: any;
}

type Path = (string | number)[];
interface Site {
  readonly category: Category;
  readonly description: string;
  readonly edit: (root: any) => void;
}

/** Objects the generator leaves alone: a CRD is judged by apiextensions' own schema validation, not mutated here. */
const UNMUTATED_KINDS = new Set(['CustomResourceDefinition']);

/** A seeded pseudo-random sequence (mulberry32 over an FNV-1a hash of the seed text). */
export function random(seed: string): () => number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  return () => {
    h = (h + 0x6d2b79f5) >>> 0;
    let t = h;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `Kind namespace/name` of an object: the base of its variants' ids. */
export function identity(o: any): string {
  const m = o?.metadata ?? {};
  return `${o?.kind}.${String(o?.apiVersion).split('/')[0]}~${m.namespace ? `${m.namespace}~` : ''}${m.name}`;
}

/**
 * Up to `count` variants of `objects`, spread evenly over objects and, within each object, over categories, in an
 * order fixed by `seed`.
 */
export function generateVariants(objects: readonly any[], schemas: SchemaSource, count: number, seed: string): Variant[] {
  const perObject: { base: any; id: string; queues: Map<Category, Site[]> }[] = [];
  for (const base of objects) {
    if (UNMUTATED_KINDS.has(base?.kind)) continue;
    const schema = schemas.schemaOf(base.apiVersion, base.kind);
    if (!schema) continue;
    const id = identity(base);
    const rnd = random(`${seed}:${id}`);
    const queues = new Map<Category, Site[]>();
    for (const site of sitesOf(base, schema)) (queues.get(site.category) ?? queues.set(site.category, []).get(site.category)!).push(site);
    for (const q of queues.values()) shuffle(q, rnd);
    perObject.push({ base, id, queues });
  }
  const out: Variant[] = [];
  const counters = new Map<string, number>();
  // Round robin: every object gives one site per round, its categories taken in turn.
  const turn = new Map<string, number>();
  let progressed = true;
  while (out.length < count && progressed) {
    progressed = false;
    for (const o of perObject) {
      if (out.length >= count) break;
      const categories = CATEGORIES.filter(c => (o.queues.get(c)?.length ?? 0) > 0);
      if (categories.length === 0) continue;
      const t = turn.get(o.id) ?? 0;
      turn.set(o.id, t + 1);
      const category = categories[t % categories.length];
      const site = o.queues.get(category)!.shift()!;
      const object = structuredClone(o.base);
      site.edit(object);
      const key = `${o.id}~${category}`;
      const n = (counters.get(key) ?? 0) + 1;
      counters.set(key, n);
      out.push({ id: `${key}-${n}`, category, description: site.description, object });
      progressed = true;
    }
  }
  return out;
}

function shuffle<T>(xs: T[], rnd: () => number): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
}

const show = (path: Path) => path.map(s => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');

function at(root: any, path: Path): any {
  return path.reduce((v, k) => v?.[k], root);
}

function setAt(path: Path, value: () => unknown): (root: any) => void {
  return root => {
    const parent = at(root, path.slice(0, -1));
    parent[path[path.length - 1]] = value();
  };
}

function deleteAt(path: Path): (root: any) => void {
  return root => {
    const parent = at(root, path.slice(0, -1));
    delete parent[path[path.length - 1] as string];
  };
}

/** Every mutation site of an object: its metadata's, then its schema's. */
export function sitesOf(object: any, schema: SchemaNode): Site[] {
  const sites: Site[] = [...metadataSites()];
  walk(object, schema, [], sites, true);
  return sites;
}

function metadataSites(): Site[] {
  const name = (value: string, description: string, category: Category = 'name'): Site => ({ category, description, edit: setAt(['metadata', 'name'], () => value) });
  const labels = (key: string, value: string, description: string): Site => ({
    category: 'label', description, edit: root => {
      root.metadata.labels = { ...(root.metadata.labels ?? {}), [key]: value };
    },
  });
  return [
    name('a'.repeat(254), 'metadata.name of 254 characters (a DNS subdomain has at most 253)'),
    name(`n${'a'.repeat(62)}`, 'metadata.name of 63 characters (the longest DNS label)', 'valid'),
    name(`n${'a'.repeat(63)}`, 'metadata.name of 64 characters (one past a DNS label)'),
    name('bad_name', 'metadata.name with an underscore'),
    name('Upper-Case', 'metadata.name with upper case letters'),
    name('ends-with-dash-', 'metadata.name ending with a dash'),
    name('dotted.name.example', 'metadata.name with dots (a subdomain, not a label)'),
    labels('example.com/tier', 'v'.repeat(64), 'a label value of 64 characters (at most 63)'),
    labels('example.com/tier', 'v'.repeat(63), 'a label value of 63 characters'),
    labels('example.com/tier', 'bad value', 'a label value with a space'),
    labels('Bad Key', 'x', 'a label key with a space'),
    labels('example.com/', 'x', 'a label key with an empty name'),
  ];
}

/** The mutation sites under one node of the object, with the node's schema. */
function walk(value: any, schema: SchemaNode | undefined, path: Path, sites: Site[], root = false): void {
  if (!schema || value === null || value === undefined) return;
  if (Array.isArray(value)) {
    arraySites(value, schema, path, sites);
    value.slice(0, 3).forEach((item, i) => walk(item, schema.items, [...path, i], sites));
    return;
  }
  if (typeof value === 'object') {
    if (isFreeForm(schema) && !schema.properties) return;
    objectSites(value, schema, path, sites, root);
    for (const key of Object.keys(value)) {
      if (root && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
      const child = propertySchema(schema, key);
      if (!child) continue;
      valueSites(child, [...path, key], sites);
      walk(value[key], child, [...path, key], sites);
    }
    return;
  }
  scalarSites(value, schema, path, sites);
}

function arraySites(value: any[], schema: SchemaNode, path: Path, sites: Site[]): void {
  const listType = schema['x-kubernetes-list-type'];
  if ((listType === 'set' || listType === 'map') && value.length > 0) {
    sites.push({ category: 'list-set', description: `${show(path)} (x-kubernetes-list-type: ${listType}) with its first element twice`, edit: root => at(root, path).push(structuredClone(value[0])) });
  }
  if (schema.maxItems !== undefined && value.length > 0) {
    const n = schema.maxItems;
    sites.push({ category: 'bound', description: `${show(path)} with ${n + 1} items (maxItems ${n})`, edit: setAt(path, () => Array.from({ length: n + 1 }, (_, i) => structuredClone(value[i % value.length]))) });
  }
}

function objectSites(value: any, schema: SchemaNode, path: Path, sites: Site[], root: boolean): void {
  for (const key of schema.required ?? []) {
    if (Object.hasOwn(value, key) && !(root && ['apiVersion', 'kind', 'metadata'].includes(key))) {
      sites.push({ category: 'required', description: `required ${show([...path, key])} dropped`, edit: deleteAt([...path, key]) });
    }
  }
  if (schema.properties && schema['x-kubernetes-preserve-unknown-fields'] !== true) {
    sites.push({ category: 'unknown-field', description: `unknown field ${show([...path, 'zzUnknownField'])} added`, edit: setAt([...path, 'zzUnknownField'], () => 'x') });
  }
  (schema['x-kubernetes-validations'] ?? []).forEach((rule, r) => celSites(value, schema, path, rule.rule, r, sites));
  // Optional properties the object leaves out but whose schema has a rule to break: added, wrong and right.
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (Object.hasOwn(value, key)) continue;
    const p = [...path, key];
    for (const s of ruledValues(child, key)) sites.push({ category: s.category, description: `${show(p)} added as ${JSON.stringify(s.value).slice(0, 80)} (${s.why})`, edit: setAt(p, () => s.value) });
  }
}

/** Sites that replace a property's whole value: a wrong JSON type, or null. */
function valueSites(schema: SchemaNode, path: Path, sites: Site[]): void {
  const wrong = wrongType(schema);
  if (wrong !== undefined) sites.push({ category: 'type', description: `${show(path)} given a ${typeName(wrong)} where the schema says ${schema.type ?? 'int-or-string'}`, edit: setAt(path, () => wrong) });
  if (!schema.nullable && !isFreeForm(schema)) sites.push({ category: 'null', description: `${show(path)} set to null (not nullable)`, edit: setAt(path, () => null) });
}

function scalarSites(value: unknown, schema: SchemaNode, path: Path, sites: Site[]): void {
  for (const s of ruledValues(schema, String(path[path.length - 1]), value)) {
    sites.push({ category: s.category, description: `${show(path)} = ${JSON.stringify(s.value).slice(0, 80)} (${s.why})`, edit: setAt(path, () => s.value) });
  }
}

/** Values for a property that break or stretch a rule of its schema (or, by its name, of the server's validation). */
function ruledValues(schema: SchemaNode, key: string, current?: unknown): { category: Category; value: unknown; why: string }[] {
  const out: { category: Category; value: unknown; why: string }[] = [];
  if (schema.enum && schema.enum.length > 0) {
    const first = String(current ?? schema.enum[0]);
    let misspelled = first[0] === first[0]?.toUpperCase() ? first.toLowerCase() : first[0].toUpperCase() + first.slice(1);
    if (misspelled === first || schema.enum.includes(misspelled)) misspelled = `${first}x`;
    out.push({ category: 'enum', value: misspelled, why: `not one of ${schema.enum.map(e => JSON.stringify(e)).join(', ')}` });
    const other = schema.enum.find(e => e !== current);
    if (other !== undefined && current !== undefined) out.push({ category: 'valid', value: other, why: 'another enum value' });
  }
  if (isQuantity(schema)) {
    out.push({ category: 'quantity', value: '1.5.5Gi', why: 'a malformed quantity' });
    out.push({ category: 'quantity', value: '12Qi', why: 'a quantity with an unknown suffix' });
    out.push({ category: 'valid', value: '1500m', why: 'a well-formed quantity' });
    return out;
  }
  if (schema.type === 'integer') {
    if (schema.maximum !== undefined) {
      const past = schema.exclusiveMaximum ? schema.maximum : schema.maximum + 1;
      out.push({ category: 'bound', value: past, why: `past maximum ${schema.maximum}${schema.exclusiveMaximum ? ' (exclusive)' : ''}` });
      out.push({ category: 'valid', value: past - 1, why: `at maximum ${schema.maximum}` });
    }
    if (schema.minimum !== undefined) {
      const below = schema.exclusiveMinimum ? schema.minimum : schema.minimum - 1;
      out.push({ category: 'bound', value: below, why: `below minimum ${schema.minimum}${schema.exclusiveMinimum ? ' (exclusive)' : ''}` });
      out.push({ category: 'valid', value: below + 1, why: `at minimum ${schema.minimum}` });
    }
    if (schema.format === 'int32' && schema.maximum === undefined) {
      out.push({ category: 'bound', value: 2147483648, why: 'one past int32' });
      out.push({ category: 'valid', value: 2147483647, why: 'the largest int32' });
    }
    if (/port$/i.test(key) && schema.maximum === undefined) {
      out.push({ category: 'bound', value: 65536, why: 'one past the largest port' });
      out.push({ category: 'bound', value: 0, why: 'port 0' });
      out.push({ category: 'valid', value: 65535, why: 'the largest port' });
    }
  }
  if (schema.type === 'string') {
    if (schema.maxLength !== undefined && schema.maxLength < 4096) {
      out.push({ category: 'bound', value: 'a'.repeat(schema.maxLength + 1), why: `maxLength ${schema.maxLength} + 1` });
      out.push({ category: 'valid', value: 'a'.repeat(schema.maxLength), why: `exactly maxLength ${schema.maxLength}` });
    }
    if (schema.minLength) out.push({ category: 'bound', value: 'a'.repeat(schema.minLength - 1), why: `shorter than minLength ${schema.minLength}` });
    if (schema.pattern && typeof current === 'string') out.push({ category: 'pattern', value: `${current} !`, why: `does not match ${schema.pattern.slice(0, 60)}` });
    const format = malformed(schema.format, key);
    if (format) out.push({ category: 'format', value: format.value, why: format.why });
  }
  return out;
}

/** A malformed value for a string format (or, where the schema names no format, for a field the server parses). */
function malformed(format: string | undefined, key: string): { value: string; why: string } | undefined {
  switch (format) {
    case 'ipv4': return { value: '300.1.2.3', why: 'a malformed IPv4 address' };
    case 'ipv6': return { value: 'fe80::1::2', why: 'a malformed IPv6 address' };
    case 'ip': return { value: '300.1.2.3', why: 'a malformed IP address' };
    case 'cidr': return { value: '10.0.0.0/33', why: 'a malformed CIDR' };
    case 'uri': return { value: 'http://[::1', why: 'a malformed URI' };
    case 'hostname': return { value: 'bad_host!', why: 'a malformed hostname' };
    case 'date-time': return { value: 'yesterday', why: 'a malformed date-time' };
    case 'duration': return { value: '5 minutes', why: 'a malformed duration' };
    case 'byte': return { value: 'not base64!', why: 'malformed base64' };
    default: break;
  }
  if (/^(clusterIP|loadBalancerIP|hostIP|podIP|ip)$/.test(key)) return { value: '300.1.2.3', why: 'a malformed IP address' };
  if (/^cidr$/i.test(key)) return { value: '10.0.0.0/33', why: 'a malformed CIDR' };
  if (/^url$/i.test(key)) return { value: 'http://[::1', why: 'a malformed URL' };
  return undefined;
}

/** A value of a JSON type the schema does not allow; undefined where any type is allowed. */
function wrongType(schema: SchemaNode): unknown {
  if (isIntOrString(schema)) return true;
  switch (schema.type) {
    case 'string': return 12345;
    case 'integer': case 'number': return 'not-a-number';
    case 'boolean': return 'yes';
    case 'object': return 'text';
    case 'array': return 'text';
    default: return undefined;
  }
}

const typeName = (v: unknown) => (typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'string');

/**
 * Sites that flip a CEL rule's condition: each field of the node the rule reads (`self.x`) is dropped when present
 * and optional, added when absent, or moved to another enum value, so the rule's outcome changes either way.
 */
function celSites(value: any, schema: SchemaNode, path: Path, rule: string, r: number, sites: Site[]): void {
  const fields = [...new Set([...rule.matchAll(/\bself\.([A-Za-z_][A-Za-z0-9_]*)/g)].map(m => m[1]))];
  for (const field of fields) {
    const child = schema.properties?.[field];
    if (!child) continue;
    const p = [...path, field];
    const what = `x-kubernetes-validations[${r}] of ${show(path) || '.'} (${rule.slice(0, 70)})`;
    if (Object.hasOwn(value, field)) {
      if (!(schema.required ?? []).includes(field)) sites.push({ category: 'cel', description: `${show(p)} dropped to flip ${what}`, edit: deleteAt(p) });
      const other = child.enum?.find(e => e !== value[field]);
      if (other !== undefined) sites.push({ category: 'cel', description: `${show(p)} = ${JSON.stringify(other)} to flip ${what}`, edit: setAt(p, () => other) });
    } else {
      const sample = sampleValue(child);
      if (sample !== undefined) sites.push({ category: 'cel', description: `${show(p)} added as ${JSON.stringify(sample).slice(0, 60)} to flip ${what}`, edit: setAt(p, () => sample) });
    }
  }
}

/** A plausible value of a schema: its default, its first enum value, or the least value of its type. */
function sampleValue(schema: SchemaNode): unknown {
  if ((schema as any).default !== undefined) return structuredClone((schema as any).default);
  if (schema.enum?.length) return schema.enum[0];
  if (isIntOrString(schema)) return 1;
  switch (schema.type) {
    case 'string': return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
    case 'integer': case 'number': return Math.max(1, schema.minimum ?? 1);
    case 'boolean': return true;
    case 'object': return {};
    case 'array': return [];
    default: return undefined;
  }
}
