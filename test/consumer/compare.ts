/**
 * Compares two synth outputs as Kubernetes sees them: the multiset of objects, keyed by apiVersion, kind, namespace
 * and name, each object compared whole. File names, document order and YAML formatting do not matter.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import { parseAllDocuments } from 'yaml';

/** One object read from a YAML file, with where it came from. */
export interface ReadObject {
  /** `apiVersion/kind/namespace/name`. */
  readonly key: string;
  /** The object. */
  readonly object: any;
  /** File (relative to the directory read) and document index, for messages. */
  readonly source: string;
}

/** The objects of every `.yaml`/`.yml` file under `dir`, in file-name order; empty documents are skipped. */
export function readObjects(dir: string): ReadObject[] {
  if (!fs.existsSync(dir)) throw new Error(`${dir} does not exist: the synth wrote no output directory`);
  const files = (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter(f => /\.ya?ml$/.test(f))
    .sort();
  return files.flatMap(f => parseObjects(fs.readFileSync(path.join(dir, f), 'utf8'), f));
}

/**
 * The objects of a multi-document YAML text. YAML 1.1, as cdk8s writes and reads it and as kubectl's decoder
 * means it (`yes` is a boolean, `0755` an octal number), so both sides are read with one meaning.
 */
export function parseObjects(text: string, source: string): ReadObject[] {
  const objects: ReadObject[] = [];
  parseAllDocuments(text, { version: '1.1' }).forEach((doc, i) => {
    if ('errors' in doc && doc.errors.length > 0) {
      throw new Error(`${source}: document ${i + 1} is not valid YAML: ${doc.errors[0].message}`);
    }
    const object = doc.toJS({ maxAliasCount: -1 });
    if (object === null || object === undefined) return;
    objects.push({ key: keyOf(object), object, source: `${source}#${i + 1}` });
  });
  return objects;
}

/** `apiVersion/kind/namespace/name`, the identity of an object in a cluster (with its version). */
export function keyOf(o: any): string {
  return `${o?.apiVersion}/${o?.kind}/${o?.metadata?.namespace ?? ''}/${o?.metadata?.name}`;
}

/**
 * Every difference between two outputs, as lines a person can act on; empty when they hold the same objects.
 * Objects with the same key are compared as a multiset, so a duplicate on one side is a difference too.
 */
export function compareObjects(actual: readonly ReadObject[], expected: readonly ReadObject[],
  labels: { actual: string; expected: string } = { actual: 'actual', expected: 'expected' }): string[] {
  const a = group(actual);
  const e = group(expected);
  const lines: string[] = [];
  for (const key of [...new Set([...e.keys(), ...a.keys()])].sort()) {
    const left = a.get(key) ?? [];
    const right = e.get(key) ?? [];
    if (left.length === 0) {
      lines.push(`missing from ${labels.actual}: ${key} (${labels.expected} ${right.map(r => r.source).join(', ')})`);
      continue;
    }
    if (right.length === 0) {
      lines.push(`only in ${labels.actual}: ${key} (${left.map(l => l.source).join(', ')})`);
      continue;
    }
    if (left.length !== right.length) {
      lines.push(`${key}: ${left.length} in ${labels.actual} (${left.map(l => l.source).join(', ')}), ` +
        `${right.length} in ${labels.expected} (${right.map(r => r.source).join(', ')})`);
      continue;
    }
    const unmatched = [...right];
    const extra: ReadObject[] = [];
    for (const l of left) {
      const i = unmatched.findIndex(r => isDeepStrictEqual(l.object, r.object));
      if (i >= 0) unmatched.splice(i, 1);
      else extra.push(l);
    }
    extra.forEach((l, i) => {
      const r = unmatched[i];
      lines.push(`${key} differs (${labels.actual} ${l.source}, ${labels.expected} ${r.source}):`);
      for (const d of diffValues(l.object, r.object).slice(0, 20)) lines.push(`    ${d}`);
    });
  }
  return lines;
}

function group(objects: readonly ReadObject[]): Map<string, ReadObject[]> {
  const m = new Map<string, ReadObject[]>();
  for (const o of objects) m.set(o.key, [...(m.get(o.key) ?? []), o]);
  return m;
}

/** The paths at which two JSON-like values differ, with both values: `spec.port: 80 vs 8080`. */
export function diffValues(actual: unknown, expected: unknown, at = ''): string[] {
  if (isDeepStrictEqual(actual, expected)) return [];
  const both = (x: unknown, y: unknown) => `${at || '(root)'}: ${show(x)} vs ${show(y)}`;
  if (Array.isArray(actual) && Array.isArray(expected)) {
    const out: string[] = [];
    for (let i = 0; i < Math.max(actual.length, expected.length); i++) {
      if (i >= actual.length) out.push(`${at}[${i}]: (absent) vs ${show(expected[i])}`);
      else if (i >= expected.length) out.push(`${at}[${i}]: ${show(actual[i])} vs (absent)`);
      else out.push(...diffValues(actual[i], expected[i], `${at}[${i}]`));
    }
    return out;
  }
  if (isPlainObject(actual) && isPlainObject(expected)) {
    const out: string[] = [];
    for (const k of [...new Set([...Object.keys(actual), ...Object.keys(expected)])].sort()) {
      const p = at ? `${at}.${k}` : k;
      if (!(k in actual)) out.push(`${p}: (absent) vs ${show(expected[k])}`);
      else if (!(k in expected)) out.push(`${p}: ${show(actual[k])} vs (absent)`);
      else out.push(...diffValues(actual[k], expected[k], p));
    }
    return out;
  }
  return [both(actual, expected)];
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Date);
}

function show(x: unknown): string {
  const text = x instanceof Date ? `date ${x.toISOString()}` : JSON.stringify(x);
  return text === undefined ? String(x) : text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
