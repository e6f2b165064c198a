/**
 * YAML → JSON the way kubectl does it before a manifest reaches the API server: sigs.k8s.io/yaml `YAMLToJSON`,
 * which decodes with its fork of go-yaml v2 into `interface{}` and marshals the result as JSON. What that means,
 * each from the source named beside it:
 * - plain scalars resolve by go-yaml v2's table (sigs.k8s.io/yaml@v1.4.0:goyaml.v2/resolve.go `resolve`): YAML 1.1
 *   booleans (`y`, `yes`, `on`, `off`, ...), nulls (`~`, `null`, empty), integers by Go's `strconv.ParseInt(s, 0, 64)`
 *   after dropping `_` (so `0777` and `0o777` are octal, `0x1F` hex, `0b101` binary), then uint64, then floats
 *   matching `yamlStyleFloat`; everything else, timestamps included, stays a string (goyaml.v2/decode.go keeps
 *   timestamp-like values as strings when decoding into `interface{}`); sexagesimal `1:30` is a string;
 * - quoted scalars are strings; explicit `!!int`/`!!bool`/`!!float`/`!!null`/`!!str`/`!!binary` tags are honoured,
 *   unknown local tags (`!Ref x`) are ignored (goyaml.v2/resolve.go `resolvableTag`);
 * - duplicate keys: go-yaml v2's non-strict Unmarshal keeps the last value (sigs.k8s.io/yaml@v1.4.0:yaml.go
 *   `YAMLToJSON`: "Duplicate fields are case-sensitively ignored"); we do the same and say so as a warning;
 * - `.inf`/`.nan` cannot be marshalled to JSON (encoding/json: "unsupported value"), so kubectl refuses them;
 * - aliases: go-yaml v2 refuses "excessive aliasing" by the ratio of alias-driven decodes
 *   (goyaml.v2/decode.go `allowedAliasRatio`) and an anchor that contains itself; we apply the same rule to the
 *   expanded size, so an alias bomb is a finding, not a hang.
 *
 * The result is built from null-prototype objects: a key named `constructor` or `__proto__` is data, never an
 * inherited member.
 */
import { spawnSync } from 'child_process';
import * as jsyaml from 'js-yaml';
import { goYamlRefusal, hasLongLine, SURROGATE_ESCAPE } from './go-yaml-refusals';

/** A decoded document, or why kubectl would refuse it. */
export type DecodedYaml =
  | { readonly ok: true; readonly value: unknown; readonly warnings: readonly YamlWarning[] }
  | { readonly ok: false; readonly line: number; readonly message: string };

/** Something kubectl accepts silently but that is almost certainly a mistake. */
export interface YamlWarning {
  /** 0-based line inside the document. */
  readonly line: number;
  readonly message: string;
}

// goyaml.v2/resolve.go: `yamlStyleFloat`.
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const GO_INT = /^([-+]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

// goyaml.v2/resolve.go: the resolve map (only consulted for plain scalars whose first character is in the table).
const BOOLS = new Map<string, boolean>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map(s => [s, true] as [string, boolean]),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map(s => [s, false] as [string, boolean]),
]);
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const SPECIAL_FLOATS = new Map<string, number>([
  ...['.nan', '.NaN', '.NAN'].map(s => [s, NaN] as [string, number]),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map(s => [s, Infinity] as [string, number]),
  ...['-.inf', '-.Inf', '-.INF'].map(s => [s, -Infinity] as [string, number]),
]);

/** Go's `strconv.ParseInt(s, 0, 64)`, then `ParseUint(s, 0, 64)`, on `s` with `_` removed; undefined if neither parses. */
export function goInteger(text: string): number | undefined {
  const plain = text.replace(/_/g, '');
  const m = GO_INT.exec(plain);
  if (!m) return undefined;
  const digits = m[2];
  const body = /^0[oO]/.test(digits) ? `0o${digits.slice(2)}` : /^0[0-7]+$/.test(digits) ? `0o${digits.slice(1)}` : digits;
  const magnitude = BigInt(body);
  const value = m[1] === '-' ? -magnitude : magnitude;
  if (value >= INT64_MIN && value <= INT64_MAX) return Number(value);
  if (m[1] === '' && value <= UINT64_MAX) return Number(value); // ParseUint takes no sign
  return undefined;
}

/** go-yaml v2's float resolution for a plain scalar (hint `D`/`S`, or `.`); undefined when it stays a string. */
export function goFloat(text: string): number | undefined {
  if (SPECIAL_FLOATS.has(text)) return SPECIAL_FLOATS.get(text);
  const plain = text.startsWith('.') ? text : text.replace(/_/g, '');
  if (!YAML_STYLE_FLOAT.test(plain)) return undefined;
  const value = Number(plain);
  // strconv.ParseFloat fails with ErrRange beyond float64: the value then stays a string.
  return Number.isFinite(value) ? value : undefined;
}

const startsNumeric = (s: string) => /^[-+0-9.]/.test(s);

const nullType = new jsyaml.Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (s: string) => NULLS.has(s),
  construct: () => null,
});
const boolType = new jsyaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (s: string) => BOOLS.has(s),
  construct: (s: string) => BOOLS.get(s),
});
const intType = new jsyaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (s: string) => startsNumeric(s) && goInteger(s) !== undefined,
  construct: (s: string) => goInteger(s),
});
const floatType = new jsyaml.Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (s: string) => startsNumeric(s) && (goInteger(s) !== undefined || goFloat(s) !== undefined),
  construct: (s: string) => goInteger(s) ?? goFloat(s),
});
// Explicitly tagged only: both decode into interface{} as strings (binary as its decoded bytes).
const timestampType = new jsyaml.Type('tag:yaml.org,2002:timestamp', { kind: 'scalar', construct: (s: string | null) => s ?? '' });
const binaryType = new jsyaml.Type('tag:yaml.org,2002:binary', {
  kind: 'scalar',
  resolve: (s: string | null) => /^[A-Za-z0-9+/=\s]*$/.test(s ?? ''),
  construct: (s: string | null) => Buffer.from((s ?? '').replace(/\s/g, ''), 'base64').toString('utf8'),
});
// Local tags (`!Ref`, `!include`) are not resolvable: go-yaml decodes the node as if untagged.
const localTags = (['scalar', 'sequence', 'mapping'] as const).map(kind => new jsyaml.Type('!', {
  kind, multi: true, resolve: () => true, construct: (v: unknown) => (kind === 'scalar' ? v ?? '' : v ?? (kind === 'sequence' ? [] : {})),
}));

const SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [nullType, boolType, intType, floatType, (jsyaml as unknown as { types: { merge: jsyaml.Type } }).types.merge],
  explicit: [timestampType, binaryType, ...localTags],
});

// goyaml.v2/parserc.go refuses nesting beyond 10,000 levels ("exceeded max depth").
const MAX_DEPTH = 10_000;

// js-yaml 4.3 takes maxDepth; its published types predate it.
const LOAD_OPTIONS = { schema: SCHEMA, maxDepth: MAX_DEPTH } as jsyaml.LoadOptions;

// goyaml.v2/decode.go: the alias ratio limits.
const ALIAS_RATIO_RANGE_LOW = 400_000;
const ALIAS_RATIO_RANGE_HIGH = 4_000_000;

/** goyaml.v2/decode.go `allowedAliasRatio`. */
export function allowedAliasRatio(decodeCount: number): number {
  if (decodeCount <= ALIAS_RATIO_RANGE_LOW) return 0.99;
  if (decodeCount >= ALIAS_RATIO_RANGE_HIGH) return 0.10;
  return 0.99 - 0.89 * ((decodeCount - ALIAS_RATIO_RANGE_LOW) / (ALIAS_RATIO_RANGE_HIGH - ALIAS_RATIO_RANGE_LOW));
}

class DecodeRefusal extends Error {}

/**
 * Copies js-yaml's result into null-prototype objects, refusing cycles (an anchor that contains itself), values JSON
 * cannot hold, and excessive aliasing. Shared nodes (aliases) are converted once and counted at every use.
 */
function toJsonValue(root: unknown, aliases: boolean): unknown {
  if (!aliases) return copy(root);
  const converted = new Map<object, { value: unknown; size: number }>();
  const inProgress = new Set<object>();
  let decodes = 0;
  let aliasDecodes = 0;
  const count = (n: number, alias: boolean) => {
    decodes += n;
    if (alias) aliasDecodes += n;
    if (aliasDecodes > 100 && decodes > ALIAS_RATIO_RANGE_LOW && aliasDecodes / decodes > allowedAliasRatio(decodes)) {
      throw new DecodeRefusal('document contains excessive aliasing');
    }
    if (decodes > ALIAS_RATIO_RANGE_HIGH * 4) throw new DecodeRefusal('document is too large to validate (more than 16,000,000 nodes after alias expansion)');
  };
  const visit = (v: unknown): { value: unknown; size: number } => {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new DecodeRefusal(`${v} cannot be represented in JSON (json: unsupported value)`);
    if (v === null || typeof v !== 'object') {
      count(1, false);
      return { value: v, size: 1 };
    }
    const seen = converted.get(v);
    if (seen) {
      count(seen.size, true);
      return seen;
    }
    if (inProgress.has(v)) throw new DecodeRefusal('an anchor\'s value contains an alias to itself');
    inProgress.add(v);
    let size = 1;
    count(1, false);
    let value: unknown;
    if (Array.isArray(v)) {
      value = v.map(item => {
        const r = visit(item);
        size += r.size;
        return r.value;
      });
    } else {
      const out: Record<string, unknown> = Object.create(null);
      for (const key of Object.keys(v)) {
        const r = visit((v as Record<string, unknown>)[key]);
        size += r.size;
        out[key] = r.value;
      }
      value = out;
    }
    inProgress.delete(v);
    const result = { value, size };
    converted.set(v, result);
    return result;
  };
  return visit(root).value;
}

// Without an alias (no `*` anywhere) no node is shared and none contains itself: a plain copy will do.
function copy(v: unknown): unknown {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new DecodeRefusal(`${v} cannot be represented in JSON (json: unsupported value)`);
    return v;
  }
  if (Array.isArray(v)) return v.map(copy);
  const out: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(v)) out[key] = copy((v as Record<string, unknown>)[key]);
  return out;
}

/** Decodes one YAML document (no `---` splitting) as kubectl would send it. */
export function decodeYaml(text: string): DecodedYaml {
  const warnings: YamlWarning[] = [];
  let loaded: unknown;
  // A collection or a null directly followed by ':' was a key (js-yaml turns it into a string key; go-yaml's JSON
  // conversion refuses it): noted as js-yaml closes each node, checked exactly below.
  let oddKeys = false;
  const listener = (event: string, state: { kind: string | null; result: unknown; position: number }) => {
    if (event !== 'close' || oddKeys || (state.kind === 'scalar' && state.result !== null)) return;
    let i = state.position;
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
    if (text[i] === ':') oddKeys = true;
  };
  const options = { ...LOAD_OPTIONS, listener } as jsyaml.LoadOptions;
  try {
    try {
      loaded = jsyaml.load(text, options);
    } catch (e) {
      if (!(e instanceof jsyaml.YAMLException) || e.reason !== 'duplicated mapping key') throw e;
      // kubectl keeps the last of duplicated keys: say where the first one is, then decode as kubectl does.
      warnings.push(duplicateKeyWarning(text, e.mark?.line ?? 0));
      loaded = jsyaml.load(text, { ...options, json: true });
    }
    const value = toJsonValue(loaded, text.includes('*'));
    // What go-yaml refuses and js-yaml takes: checked exactly, on the few documents that may hold it.
    if (oddKeys || SURROGATE_ESCAPE.test(text) || hasLongLine(text)) {
      const refusal = goYamlRefusal(text);
      if (refusal) return { ok: false, ...refusal };
    }
    return { ok: true, value, warnings };
  } catch (e) {
    if (e instanceof jsyaml.YAMLException) return { ok: false, line: e.mark?.line ?? 0, message: e.reason || e.message.split('\n')[0] };
    if (e instanceof DecodeRefusal) return { ok: false, line: 0, message: e.message };
    // js-yaml recurses per level and overflows the default stack near 2,500 levels, where go-yaml accepts up to
    // 10,000: such a document is decoded again in a child process with a larger stack.
    if (e instanceof RangeError) return decodeDeep(text);
    throw e;
  }
}

function duplicateKeyWarning(text: string, line: number): YamlWarning {
  const key = /^\s*(?:-\s+)?("[^"]*"|'[^']*'|[^:#]+?)\s*:/.exec(text.split('\n')[line] ?? '')?.[1]?.replace(/^["']|["']$/g, '');
  return { line, message: `duplicate key${key ? ` "${key}"` : ''}: kubectl keeps only the last value (go-yaml v2 non-strict decoding) and silently drops the earlier one` };
}

/**
 * The deepest nesting the rest of the validator handles on Node's default stack (its schema walks recurse per
 * level): deeper documents that kubectl accepts (up to 10,000 levels) are refused with that said plainly.
 */
export const MAX_VALIDATED_DEPTH = 4_000;

// The child runs this module's decodeYaml with a stack large enough for 10,000 levels (7 MB, under the usual 8 MB
// thread limit; if the system allows less, the child dies and the document is refused as too deep).
const DEEP_CHILD_ENV = 'VALIDATE_DECODE_CHILD';

function decodeDeep(text: string): DecodedYaml {
  const tooDeep = (detail: string): DecodedYaml => ({ ok: false, line: 0, message: `document is nested too deeply ${detail}` });
  if (process.env[DEEP_CHILD_ENV]) return tooDeep('(even with a larger stack)');
  const loader = __filename.endsWith('.ts') ? ['--require', require.resolve('tsx/cjs')] : [];
  const script = `const { decodeYaml } = require(${JSON.stringify(__filename)}); const r = decodeYaml(require('fs').readFileSync(0, 'utf8'));` +
    'process.stdout.write(JSON.stringify(r.ok ? { ...r, depth: depthOf(r.value) } : r));' +
    'function depthOf(v) { let max = 0; const stack = [[v, 1]]; while (stack.length) { const [x, d] = stack.pop(); if (x === null || typeof x !== "object") continue; max = Math.max(max, d); for (const k of Object.keys(x)) stack.push([x[k], d + 1]); } return max; }';
  const child = spawnSync(process.execPath, [...loader, '--stack-size=7000', '-e', script], {
    input: text, encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024, timeout: 120_000, env: { ...process.env, [DEEP_CHILD_ENV]: '1' },
  });
  if (child.status !== 0 || !child.stdout) return tooDeep(`(decoding it with a larger stack failed: ${child.error?.message ?? child.signal ?? `exit ${child.status}`})`);
  const result = JSON.parse(child.stdout) as DecodedYaml & { depth?: number };
  if (!result.ok) return result;
  if ((result.depth ?? 0) > MAX_VALIDATED_DEPTH) {
    return tooDeep(`to validate: ${result.depth} levels, where this validator stops at ${MAX_VALIDATED_DEPTH} (kubectl accepts up to 10,000)`);
  }
  return { ok: true, value: nullPrototypeCopy(result.value), warnings: result.warnings };
}

// JSON.parse's objects, as null-prototype objects like every decoded value; iterative, whatever the depth.
function nullPrototypeCopy(root: unknown): unknown {
  const holder: { v: unknown } = { v: undefined };
  const stack: [unknown, Record<string | number, unknown>, string | number][] = [[root, holder as unknown as Record<string, unknown>, 'v']];
  while (stack.length > 0) {
    const [v, parent, key] = stack.pop()!;
    if (v === null || typeof v !== 'object') {
      parent[key] = v;
    } else if (Array.isArray(v)) {
      const out: unknown[] = new Array(v.length);
      parent[key] = out;
      v.forEach((item, i) => stack.push([item, out as unknown as Record<number, unknown>, i]));
    } else {
      const out: Record<string, unknown> = Object.create(null);
      parent[key] = out;
      for (const k of Object.keys(v)) stack.push([(v as Record<string, unknown>)[k], out, k]);
    }
  }
  return holder.v;
}
