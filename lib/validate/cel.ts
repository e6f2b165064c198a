/**
 * Evaluates the `x-kubernetes-validations` CEL rules of CRD structural schemas the way the API server does,
 * offline: a conformant CEL implementation (`@bufbuild/cel`) plus the Kubernetes CEL libraries registered as
 * custom functions.
 *
 * See https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#validation-rules
 * and https://kubernetes.io/docs/reference/using-api/cel/ (the list of libraries the API server adds).
 *
 * What differs from the API server, and why:
 * - `@bufbuild/cel` has no usable type checker yet (0.6.x checks constants and identifiers only), so
 *   `check()` parses and then resolves every identifier, function name and overload arity itself; type errors
 *   that the API server would catch at CRD creation surface here as runtime errors instead.
 * - No cost budget: the API server rejects rules whose estimated cost is too high; the pinned CRDs are already
 *   accepted by real clusters, so we only evaluate.
 * - Transition rules (`oldSelf`) need the previous object; offline we only see creates, so they are skipped,
 *   except `optionalOldSelf` rules, which the API server also runs on create (with `oldSelf` = `optional.none()`).
 */
import {
  celEnv,
  celFunc,
  celList,
  celMap,
  celMethod,
  CelScalar,
  isCelError,
  listType,
  mapType,
  objectType,
  parse,
  plan,
  type CelEnv,
  type CelFunc,
  type CelInput,
  type CelList,
  type CelResult,
  type CelValue,
} from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { create, createFileRegistry, type DescMessage } from '@bufbuild/protobuf';
import { reflect, type ReflectMessage } from '@bufbuild/protobuf/reflect';
import { FieldDescriptorProto_Label, FieldDescriptorProto_Type, FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { RE2JS } from '@bufbuild/re2';
import type { StructuralSchema, ValidationRule } from './structural-schema';

/** The result of evaluating one rule against one value. */
export type RuleOutcome =
  | { status: 'pass' }
  | { status: 'fail'; message: string }
  | { status: 'skipped'; reason: string }
  | { status: 'error'; message: string };

const { INT, DOUBLE, BOOL, STRING, DYN } = CelScalar;
const LIST = listType(DYN);

// ---------------------------------------------------------------------------------------------------------------
// Opaque Kubernetes types (URL, Quantity, IP, CIDR, Format, optional).
//
// `@bufbuild/cel` dispatches methods on the runtime type of the receiver, and the only user-extensible runtime
// types are protobuf messages. So each opaque Kubernetes type is a tiny message in a descriptor built at load
// time; equality is then protobuf equality, which is why each message holds a canonical form.
// ---------------------------------------------------------------------------------------------------------------

const { STRING: PB_STRING, INT32: PB_INT32, BYTES: PB_BYTES, BOOL: PB_BOOL } = FieldDescriptorProto_Type;

function pbField(name: string, number: number, type: FieldDescriptorProto_Type, repeated = false) {
  const label = repeated ? FieldDescriptorProto_Label.REPEATED : FieldDescriptorProto_Label.OPTIONAL;
  return { name, number, type, label, jsonName: name };
}

const OPAQUE_TYPES = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: 'k8s/cel/types.proto',
    package: 'k8s.cel',
    syntax: 'proto3',
    messageType: [
      { name: 'URL', field: [pbField('raw', 1, PB_STRING)] },
      // value = unscaled * 10^-scale, normalised (no trailing zeros) so that equal quantities are equal messages
      { name: 'Quantity', field: [pbField('unscaled', 1, PB_STRING), pbField('scale', 2, PB_INT32)] },
      { name: 'IP', field: [pbField('addr', 1, PB_BYTES)] },
      { name: 'CIDR', field: [pbField('addr', 1, PB_BYTES), pbField('bits', 2, PB_INT32)] },
      { name: 'Format', field: [pbField('name', 1, PB_STRING)] },
      // Only what the Kubernetes libraries produce: none, or some(list<string>) from `<Format>.validate()`.
      { name: 'OptionalStringList', field: [pbField('present', 1, PB_BOOL), pbField('values', 2, PB_STRING, true)] },
    ],
  }),
  () => undefined,
);

function opaqueDesc(name: string): DescMessage {
  const desc = OPAQUE_TYPES.getMessage(`k8s.cel.${name}`);
  if (!desc) throw new Error(`k8s.cel.${name} missing from the opaque type registry`);
  return desc;
}

const URL_DESC = opaqueDesc('URL');
const QUANTITY_DESC = opaqueDesc('Quantity');
const IP_DESC = opaqueDesc('IP');
const CIDR_DESC = opaqueDesc('CIDR');
const FORMAT_DESC = opaqueDesc('Format');
const OPTIONAL_DESC = opaqueDesc('OptionalStringList');
const URL_T = objectType(URL_DESC);
const QUANTITY_T = objectType(QUANTITY_DESC);
const IP_T = objectType(IP_DESC);
const CIDR_T = objectType(CIDR_DESC);
const FORMAT_T = objectType(FORMAT_DESC);
const OPTIONAL_T = objectType(OPTIONAL_DESC);

function opaque(desc: DescMessage, fields: object): ReflectMessage {
  return reflect(desc, create(desc, fields as never));
}

/** The fields of an opaque value, typed by the caller (the descriptor above is the contract). */
function fieldsOf<T>(value: ReflectMessage): T {
  return value.message as unknown as T;
}

// ---------------------------------------------------------------------------------------------------------------
// CEL operators, borrowed from the library so list/set functions compare exactly like `==` and `<` do
// (heterogeneous numbers, durations, timestamps, messages).
// ---------------------------------------------------------------------------------------------------------------

const BASE_ENV = celEnv({ registry: OPAQUE_TYPES });

function binaryOperator(expression: string): (x: CelValue, y: CelValue) => CelValue {
  const program = plan(BASE_ENV, parse(expression));
  return (x, y) => {
    const result = program({ x, y });
    if (isCelError(result)) throw result;
    return result;
  };
}

const celEquals = binaryOperator('x == y');
const celLess = binaryOperator('x < y');
const celAdd = binaryOperator('x + y');

function unaryConversion(expression: string): (x: string) => CelResult {
  const program = plan(BASE_ENV, parse(expression));
  return x => program({ x });
}

const toDuration = unaryConversion('duration(x)');
const toTimestamp = unaryConversion('timestamp(x)');

// ---------------------------------------------------------------------------------------------------------------
// Kubernetes list library: https://kubernetes.io/docs/reference/using-api/cel/#kubernetes-list-library
// ---------------------------------------------------------------------------------------------------------------

function extreme(list: CelList, pick: (candidate: CelValue, best: CelValue) => boolean, name: string): CelValue {
  if (list.size === 0) throw new Error(`${name} called on empty list`);
  let best = list.get(0) as CelValue;
  for (const item of list) if (pick(item, best)) best = item;
  return best;
}

function indexIn(list: CelList, item: CelValue, fromEnd: boolean): bigint {
  const indices = [...Array(list.size).keys()];
  for (const i of fromEnd ? indices.reverse() : indices) if (celEquals(list.get(i) as CelValue, item) === true) return BigInt(i);
  return -1n;
}

const LIST_FUNCS: CelFunc[] = [
  celMethod('isSorted', LIST, [], BOOL, function () {
    const items = [...this];
    return items.every((item, i) => i === 0 || celLess(item, items[i - 1]) === false);
  }),
  // An empty list sums to int 0, as in Kubernetes; mixed element types fail like `+` does.
  celMethod('sum', LIST, [], DYN, function () {
    return [...this].reduce<CelValue>((total, item, i) => (i === 0 ? item : celAdd(total, item)), 0n);
  }),
  celMethod('min', LIST, [], DYN, function () {
    return extreme(this, (c, best) => celLess(c, best) === true, 'min');
  }),
  celMethod('max', LIST, [], DYN, function () {
    return extreme(this, (c, best) => celLess(best, c) === true, 'max');
  }),
  celMethod('indexOf', LIST, [DYN], INT, function (item) {
    return indexIn(this, item, false);
  }),
  celMethod('lastIndexOf', LIST, [DYN], INT, function (item) {
    return indexIn(this, item, true);
  }),
];

// ---------------------------------------------------------------------------------------------------------------
// Sets extension, enabled by Kubernetes: https://pkg.go.dev/github.com/google/cel-go/ext#Sets
// ---------------------------------------------------------------------------------------------------------------

function listContains(list: CelList, item: CelValue): boolean {
  for (const candidate of list) if (celEquals(candidate, item) === true) return true;
  return false;
}

const SETS_FUNCS: CelFunc[] = [
  celFunc('sets.contains', [LIST, LIST], BOOL, (a, b) => [...b].every(x => listContains(a, x))),
  celFunc('sets.equivalent', [LIST, LIST], BOOL, (a, b) => [...b].every(x => listContains(a, x)) && [...a].every(x => listContains(b, x))),
  celFunc('sets.intersects', [LIST, LIST], BOOL, (a, b) => [...b].some(x => listContains(a, x))),
];

// ---------------------------------------------------------------------------------------------------------------
// Regex: `matches` is standard CEL and `@bufbuild/cel` already runs it on its RE2 engine (@bufbuild/re2); we
// only cache compiled patterns. `find`/`findAll` need match positions, which that engine does not expose, so
// they run on a JS RegExp translated from the RE2 pattern (after RE2 has accepted it); RE2 features that
// JS lacks make the call fail rather than silently differ.
// https://kubernetes.io/docs/reference/using-api/cel/#kubernetes-regex-library
// ---------------------------------------------------------------------------------------------------------------

function memoize<T>(compute: (key: string) => T): (key: string) => T {
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

const compileRe2 = memoize(pattern => RE2JS.compile(pattern));

/** Go's `\s` is ASCII-only; JS's also matches Unicode spaces. */
const RE2_SPACE = '\\t\\n\\f\\r ';
const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};
const UNICODE_CATEGORY = /^(L[ultmo]?|M[nce]?|N[dlo]?|P[cdseifo]?|S[mcko]?|Z[slp]?|C[cfson]?)$/;

class UnsupportedRegex extends Error {
  constructor(pattern: string, feature: string) {
    super(`regex ${JSON.stringify(pattern)} uses ${feature}, which find/findAll cannot evaluate offline`);
  }
}

/** One RE2 escape at `src[i]` (a backslash) as JS source, and how many characters it used. */
function translateEscape(pattern: string, src: string, i: number, inClass: boolean): [string, number] {
  const next = src[i + 1];
  if (next === 'p' || next === 'P') {
    const braced = src[i + 2] === '{';
    const name = braced ? src.slice(i + 3, src.indexOf('}', i)) : src[i + 2];
    const negated = (next === 'P') !== name.startsWith('^');
    const bare = name.replace(/^\^/, '');
    const property = UNICODE_CATEGORY.test(bare) ? bare : `Script=${bare}`;
    return [`\\${negated ? 'P' : 'p'}{${property}}`, braced ? name.length + 4 : 3];
  }
  if (next === 'x' && src[i + 2] === '{') {
    const end = src.indexOf('}', i);
    return [`\\u{${src.slice(i + 3, end)}}`, end - i + 1];
  }
  if (next === 'Q') {
    const end = src.indexOf('\\E', i + 2);
    const literal = src.slice(i + 2, end < 0 ? src.length : end);
    return [[...literal].map(c => escapeLiteral(c, inClass)).join(''), literal.length + 2 + (end < 0 ? 0 : 2)];
  }
  if (!inClass && next === 'A') return ['(?<![\\s\\S])', 2];
  if (!inClass && next === 'z') return ['(?![\\s\\S])', 2];
  if (next === 's') return [inClass ? RE2_SPACE : `[${RE2_SPACE}]`, 2];
  if (next === 'S' && !inClass) return [`[^${RE2_SPACE}]`, 2];
  if (next === 'a') return ['\\x07', 2];
  if (/[dDwWbBnrtfvSx]/.test(next)) return [`\\${next}`, 2];
  if (/[0-9A-Za-z]/.test(next)) throw new UnsupportedRegex(pattern, `\\${next}`);
  return [escapeLiteral(next, inClass), 2];
}

/** A literal character, escaped for a JS `u` RegExp, where escaping anything but syntax characters is an error. */
function escapeLiteral(c: string, inClass: boolean): string {
  return (inClass ? /[\\\]\[^-]/ : /[\^$\\.*+?()[\]{}|\/]/).test(c) ? `\\${c}` : c;
}

/** A bracketed RE2 class at `src[i]` as JS source, and how many characters it used. */
function translateClass(pattern: string, src: string, i: number): [string, number] {
  let out = '[';
  let j = i + 1;
  if (src[j] === '^') out += src[j++];
  if (src[j] === ']') (out += '\\]'), j++; // RE2 reads a leading ']' as a literal; JS as an empty class
  while (j < src.length && src[j] !== ']') {
    const posix = /^\[:(\^?)([a-z]+):\]/.exec(src.slice(j));
    if (posix) {
      if (posix[1] || !POSIX_CLASSES[posix[2]]) throw new UnsupportedRegex(pattern, posix[0]);
      out += POSIX_CLASSES[posix[2]];
      j += posix[0].length;
    } else if (src[j] === '\\') {
      const [js, used] = translateEscape(pattern, src, j, true);
      out += js;
      j += used;
    } else {
      out += src[j] === '[' || src[j] === '/' ? `\\${src[j]}` : src[j];
      j++;
    }
  }
  return [`${out}]`, j - i + 1];
}

/** An RE2 pattern as an equivalent JS RegExp (global, unicode), for position-reporting matches. */
function translateRe2(pattern: string): RegExp {
  compileRe2(pattern); // RE2 decides what is a valid pattern, exactly as the API server does
  let flags = 'gu';
  let src = pattern;
  const leading = /^\(\?([imsU]+)\)/.exec(src);
  if (leading) {
    if (leading[1].includes('U')) throw new UnsupportedRegex(pattern, 'the U (ungreedy) flag');
    flags += [...new Set(leading[1])].join('');
    src = src.slice(leading[0].length);
  }
  let out = '';
  for (let i = 0; i < src.length; ) {
    const c = src[i];
    let js = c;
    let used = 1;
    if (c === '\\') [js, used] = translateEscape(pattern, src, i, false);
    else if (c === '[') [js, used] = translateClass(pattern, src, i);
    else if (c === '.') js = flags.includes('s') ? '[\\s\\S]' : '[^\\n]'; // JS '.' also stops at \r, U+2028, U+2029
    else if (src.startsWith('(?P<', i)) [js, used] = ['(?<', 4];
    else if (c === '(' && src[i + 1] === '?' && !/[:<]/.test(src[i + 2])) throw new UnsupportedRegex(pattern, 'inline flags after the start');
    else if (c === '{') js = /^\{\d+(,\d*)?\}/.test(src.slice(i)) ? c : '\\{';
    else if (c === '}' || c === ']') js = `\\${c}`;
    out += js;
    i += used;
  }
  return new RegExp(out, flags);
}

const compileFinder = memoize(translateRe2);

/** Go's FindAllString: successive non-overlapping matches; an empty match right after a match is dropped. */
function findAll(text: string, pattern: string, limit: number): string[] {
  const re = compileFinder(pattern);
  re.lastIndex = 0;
  const found: string[] = [];
  let previousEnd = -1;
  while (limit < 0 || found.length < limit) {
    const match = re.exec(text);
    if (!match) break;
    if (match[0] === '') {
      re.lastIndex = match.index + ((text.codePointAt(match.index) ?? 0) > 0xffff ? 2 : 1);
      if (match.index === previousEnd) continue;
    }
    found.push(match[0]);
    previousEnd = match.index + match[0].length;
    if (match.index >= text.length) break;
  }
  return found;
}

const REGEX_FUNCS: CelFunc[] = [
  // Standard CEL has `matches(text, re)` too; @bufbuild/cel 0.6 only ships the receiver form.
  celFunc('matches', [STRING, STRING], BOOL, (text, pattern) => compileRe2(pattern).test(text)),
  celMethod('find', STRING, [STRING], STRING, function (pattern) {
    return findAll(this, pattern, 1)[0] ?? '';
  }),
  celMethod('findAll', STRING, [STRING], listType(STRING), function (pattern) {
    return findAll(this, pattern, -1);
  }),
  celMethod('findAll', STRING, [STRING, INT], listType(STRING), function (pattern, limit) {
    return findAll(this, pattern, Number(limit));
  }),
];

// ---------------------------------------------------------------------------------------------------------------
// URL library: Go's url.ParseRequestURI, ported (go1.22 net/url/url.go), because what is a URL is Go's call.
// https://kubernetes.io/docs/reference/using-api/cel/#kubernetes-url-library
// ---------------------------------------------------------------------------------------------------------------

type UrlEncoding = 'path' | 'host' | 'zone' | 'query';

interface GoUrl {
  scheme: string;
  opaque: string;
  host: string;
  path: string;
  rawPath: string;
  rawQuery: string;
}

/** Go's shouldEscape, for the encodings the URL library needs. */
function shouldEscape(c: string, mode: UrlEncoding): boolean {
  if (/[A-Za-z0-9]/.test(c)) return false;
  if ((mode === 'host' || mode === 'zone') && `!$&'()*+,;=:[]<>"`.includes(c)) return false;
  if ('-_.~'.includes(c)) return false;
  if ('$&+,/:;=?@'.includes(c)) return mode === 'path' ? c === '?' : true;
  return true;
}

function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9A-Fa-f]$/.test(c);
}

function unescapeUrl(s: string, mode: UrlEncoding): string {
  for (let i = 0; i < s.length; ) {
    if (s[i] === '%') {
      const escape = s.slice(i, i + 3);
      if (i + 2 >= s.length || !isHex(s[i + 1]) || !isHex(s[i + 2])) throw new Error(`invalid URL escape ${JSON.stringify(escape)}`);
      // RFC 3986 §3.2.2: in a host, %-encoding is only for non-ASCII bytes (and %25 in an IPv6 zone).
      if (mode === 'host' && parseInt(s[i + 1], 16) < 8 && escape !== '%25') throw new Error(`invalid URL escape ${JSON.stringify(escape)}`);
      i += 3;
    } else {
      const inHost = mode === 'host' || mode === 'zone';
      if (inHost && s.charCodeAt(i) < 0x80 && shouldEscape(s[i], mode)) throw new Error(`invalid character ${JSON.stringify(s[i])} in host name`);
      i++;
    }
  }
  const bytes: number[] = [];
  for (let i = 0; i < s.length; ) {
    if (s[i] === '%') {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      const char = String.fromCodePoint(s.codePointAt(i) ?? 0);
      bytes.push(...(mode === 'query' && char === '+' ? [0x20] : Buffer.from(char, 'utf8')));
      i += char.length;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function escapeUrl(s: string, mode: UrlEncoding): string {
  const escapeByte = (b: number) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  const keep = (b: number) => b < 0x80 && !shouldEscape(String.fromCharCode(b), mode);
  return [...Buffer.from(s, 'utf8')].map(b => (keep(b) ? String.fromCharCode(b) : escapeByte(b))).join('');
}

function validOptionalPort(port: string): boolean {
  return port === '' || /^:[0-9]*$/.test(port);
}

function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0) throw new Error("missing ']' in host");
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) throw new Error(`invalid port ${JSON.stringify(colonPort)} after host`);
    const zone = host.slice(0, close).indexOf('%25');
    if (zone >= 0) {
      return unescapeUrl(host.slice(0, zone), 'host') + unescapeUrl(host.slice(zone, close), 'zone') + unescapeUrl(host.slice(close), 'host');
    }
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0 && !validOptionalPort(host.slice(colon))) throw new Error(`invalid port ${JSON.stringify(host.slice(colon))} after host`);
  }
  return unescapeUrl(host, 'host');
}

function parseAuthority(authority: string): string {
  const at = authority.lastIndexOf('@');
  const host = parseHost(authority.slice(at + 1));
  if (at >= 0 && !/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(authority.slice(0, at))) throw new Error('net/url: invalid userinfo');
  return host;
}

function splitScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === ':') {
      if (i === 0) throw new Error('missing protocol scheme');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ['', raw];
  }
  return ['', raw];
}

function parseRequestUri(raw: string): GoUrl {
  try {
    return parseRequestUriUnwrapped(raw);
  } catch (e) {
    throw new Error(`parse ${JSON.stringify(raw)}: ${(e as Error).message}`);
  }
}

function parseRequestUriUnwrapped(raw: string): GoUrl {
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new Error('net/url: invalid control character in URL');
  if (raw === '') throw new Error('empty url');
  const url: GoUrl = { scheme: '', opaque: '', host: '', path: '', rawPath: '', rawQuery: '' };
  if (raw === '*') return { ...url, path: '*' };
  let [scheme, rest] = splitScheme(raw);
  url.scheme = scheme.toLowerCase();
  if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) {
    rest = rest.slice(0, -1);
  } else if (rest.includes('?')) {
    url.rawQuery = rest.slice(rest.indexOf('?') + 1);
    rest = rest.slice(0, rest.indexOf('?'));
  }
  if (!rest.startsWith('/')) {
    if (url.scheme !== '') return { ...url, opaque: rest }; // rootless paths are opaque, per RFC 3986
    throw new Error('invalid URI for request');
  }
  if (url.scheme !== '' && rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash < 0 ? '' : rest.slice(slash);
    url.host = parseAuthority(authority);
  }
  url.path = unescapeUrl(rest, 'path');
  url.rawPath = escapeUrl(url.path, 'path') === rest ? '' : rest;
  return url;
}

/** Go's validEncoded: does `s` need no further escaping to be a path? */
function validEncodedPath(s: string): boolean {
  return [...s].every(c => `!$&'()*+,;=:@[]%`.includes(c) || (c.charCodeAt(0) < 0x80 && !shouldEscape(c, 'path')));
}

function escapedPath(url: GoUrl): string {
  if (url.rawPath !== '' && validEncodedPath(url.rawPath) && unescapeUrl(url.rawPath, 'path') === url.path) return url.rawPath;
  if (url.path === '*') return '*';
  return escapeUrl(url.path, 'path');
}

function splitHostPort(hostPort: string): [string, string] {
  let host = hostPort;
  let port = '';
  const colon = host.lastIndexOf(':');
  if (colon >= 0 && validOptionalPort(host.slice(colon))) [host, port] = [host.slice(0, colon), host.slice(colon + 1)];
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return [host, port];
}

/** Go's url.ParseQuery, dropping malformed pairs (as `URL.Query()` does). */
function parseQuery(query: string): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const pair of query.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const eq = pair.indexOf('=');
    try {
      const key = unescapeUrl(eq < 0 ? pair : pair.slice(0, eq), 'query');
      const value = eq < 0 ? '' : unescapeUrl(pair.slice(eq + 1), 'query');
      values.set(key, [...(values.get(key) ?? []), value]);
    } catch {
      continue;
    }
  }
  return values;
}

const parseUrlCached = memoize((raw: string): GoUrl | Error => {
  try {
    return parseRequestUri(raw);
  } catch (e) {
    return e as Error;
  }
});

function urlOf(value: ReflectMessage): GoUrl {
  const parsed = parseUrlCached(fieldsOf<{ raw: string }>(value).raw);
  if (parsed instanceof Error) throw parsed;
  return parsed;
}

const URL_FUNCS: CelFunc[] = [
  celFunc('url', [STRING], URL_T, raw => {
    const parsed = parseUrlCached(raw);
    if (parsed instanceof Error) throw new Error(`URL parse error during conversion from string: ${parsed.message}`);
    return opaque(URL_DESC, { raw });
  }),
  celFunc('isURL', [STRING], BOOL, raw => !(parseUrlCached(raw) instanceof Error)),
  celMethod('getScheme', URL_T, [], STRING, function () {
    return urlOf(this).scheme;
  }),
  celMethod('getHost', URL_T, [], STRING, function () {
    return urlOf(this).host;
  }),
  celMethod('getHostname', URL_T, [], STRING, function () {
    return splitHostPort(urlOf(this).host)[0];
  }),
  celMethod('getPort', URL_T, [], STRING, function () {
    return splitHostPort(urlOf(this).host)[1];
  }),
  celMethod('getEscapedPath', URL_T, [], STRING, function () {
    return escapedPath(urlOf(this));
  }),
  celMethod('getQuery', URL_T, [], mapType(STRING, listType(STRING)), function () {
    return parseQuery(urlOf(this).rawQuery);
  }),
];

// ---------------------------------------------------------------------------------------------------------------
// Quantity library: exact decimal arithmetic on bigints, following resource.ParseQuantity (apimachinery
// pkg/api/resource/quantity.go): values finer than 1n round up, binary-SI values cap at 2^63-1.
// https://kubernetes.io/docs/reference/using-api/cel/#kubernetes-quantity-library
// ---------------------------------------------------------------------------------------------------------------

/** value = unscaled × 10^-scale */
interface Decimal {
  unscaled: bigint;
  scale: number;
}

const QUANTITY_GRAMMAR = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const BINARY_SHIFT: Record<string, bigint> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const DECIMAL_EXPONENT: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const MAX_INT64 = 2n ** 63n - 1n;
const MIN_INT64 = -(2n ** 63n);
const MAX_EXPONENT = 1000; // far beyond any real quantity; keeps 10n ** scale cheap

function normalize(d: Decimal): Decimal {
  let { unscaled, scale } = d;
  if (unscaled === 0n) return { unscaled, scale: 0 };
  while (unscaled % 10n === 0n) [unscaled, scale] = [unscaled / 10n, scale - 1];
  return { unscaled, scale };
}

function aligned(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.unscaled * 10n ** BigInt(scale - a.scale), b.unscaled * 10n ** BigInt(scale - b.scale), scale];
}

function compareDecimal(a: Decimal, b: Decimal): number {
  const [x, y] = aligned(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function parseQuantity(text: string): Decimal {
  const match = QUANTITY_GRAMMAR.exec(text);
  if (!match) throw new Error(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  const [, sign, number, suffix = ''] = match;
  const [whole, fraction = ''] = number.split('.');
  let unscaled = BigInt(`${whole}${fraction}` || '0');
  let scale = fraction.length;
  if (suffix in BINARY_SHIFT) unscaled <<= BINARY_SHIFT[suffix];
  else scale -= suffix in DECIMAL_EXPONENT ? DECIMAL_EXPONENT[suffix] : Number(suffix.slice(1));
  if (Math.abs(scale) > MAX_EXPONENT) throw new Error(`quantity ${JSON.stringify(text)} is out of range`);
  if (scale > 9) {
    // "if you want some resources, you should get some resources": round the magnitude up to 1n
    const divisor = 10n ** BigInt(scale - 9);
    unscaled = (unscaled + divisor - 1n) / divisor;
    scale = 9;
  }
  if (suffix in BINARY_SHIFT && compareDecimal({ unscaled, scale }, { unscaled: MAX_INT64, scale: 0 }) > 0) [unscaled, scale] = [MAX_INT64, 0];
  return normalize({ unscaled: sign === '-' ? -unscaled : unscaled, scale });
}

function quantity(d: Decimal): ReflectMessage {
  const n = normalize(d);
  return opaque(QUANTITY_DESC, { unscaled: n.unscaled.toString(), scale: n.scale });
}

function decimalOf(value: ReflectMessage): Decimal {
  const { unscaled, scale } = fieldsOf<{ unscaled: string; scale: number }>(value);
  return { unscaled: BigInt(unscaled), scale };
}

function asInt64(d: Decimal): bigint | undefined {
  if (d.scale > 0) return undefined; // normalised, so a positive scale means a fraction
  const value = d.unscaled * 10n ** BigInt(-d.scale);
  return value >= MIN_INT64 && value <= MAX_INT64 ? value : undefined;
}

function addDecimal(a: Decimal, b: Decimal, sign: 1n | -1n): ReflectMessage {
  const [x, y, scale] = aligned(a, b);
  return quantity({ unscaled: x + sign * y, scale });
}

const QUANTITY_FUNCS: CelFunc[] = [
  celFunc('quantity', [STRING], QUANTITY_T, text => quantity(parseQuantity(text))),
  celFunc('isQuantity', [STRING], BOOL, text => {
    try {
      parseQuantity(text);
      return true;
    } catch {
      return false;
    }
  }),
  celMethod('isLessThan', QUANTITY_T, [QUANTITY_T], BOOL, function (other) {
    return compareDecimal(decimalOf(this), decimalOf(other)) < 0;
  }),
  celMethod('isGreaterThan', QUANTITY_T, [QUANTITY_T], BOOL, function (other) {
    return compareDecimal(decimalOf(this), decimalOf(other)) > 0;
  }),
  celMethod('compareTo', QUANTITY_T, [QUANTITY_T], INT, function (other) {
    return BigInt(compareDecimal(decimalOf(this), decimalOf(other)));
  }),
  celMethod('add', QUANTITY_T, [QUANTITY_T], QUANTITY_T, function (other) {
    return addDecimal(decimalOf(this), decimalOf(other), 1n);
  }),
  celMethod('add', QUANTITY_T, [INT], QUANTITY_T, function (other) {
    return addDecimal(decimalOf(this), { unscaled: other, scale: 0 }, 1n);
  }),
  celMethod('sub', QUANTITY_T, [QUANTITY_T], QUANTITY_T, function (other) {
    return addDecimal(decimalOf(this), decimalOf(other), -1n);
  }),
  celMethod('sub', QUANTITY_T, [INT], QUANTITY_T, function (other) {
    return addDecimal(decimalOf(this), { unscaled: other, scale: 0 }, -1n);
  }),
  celMethod('asInteger', QUANTITY_T, [], INT, function () {
    const value = asInt64(decimalOf(this));
    if (value === undefined) throw new Error('cannot convert value to integer');
    return value;
  }),
  celMethod('isInteger', QUANTITY_T, [], BOOL, function () {
    return asInt64(decimalOf(this)) !== undefined;
  }),
  celMethod('asApproximateFloat', QUANTITY_T, [], DOUBLE, function () {
    const { unscaled, scale } = decimalOf(this);
    return Number(`${unscaled}e${-scale}`);
  }),
  celMethod('sign', QUANTITY_T, [], INT, function () {
    const { unscaled } = decimalOf(this);
    return unscaled > 0n ? 1n : unscaled < 0n ? -1n : 0n;
  }),
];

// ---------------------------------------------------------------------------------------------------------------
// IP and CIDR libraries: Go's netip parsing (no zones, no IPv4-mapped IPv6, no leading zeros), as bytes.
// https://kubernetes.io/docs/reference/using-api/cel/#kubernetes-ip-address-library
// https://kubernetes.io/docs/reference/using-api/cel/#kubernetes-cidr-library
// ---------------------------------------------------------------------------------------------------------------

function parseIPv4(s: string): number[] {
  const fields = s.split('.');
  if (fields.length !== 4) throw new Error('IPv4 address too short or too long');
  return fields.map(field => {
    if (!/^\d{1,3}$/.test(field)) throw new Error('unexpected character in IPv4 field');
    if (field.length > 1 && field.startsWith('0')) throw new Error('IPv4 field has octet with leading zero');
    if (Number(field) > 255) throw new Error('IPv4 field has value >255');
    return Number(field);
  });
}

/** The 16-bit groups of one side of an IPv6 `::`; an embedded IPv4 may only end the address. */
function ipv6Groups(part: string, mayEndWithIPv4: boolean): number[] {
  if (part === '') return [];
  return part.split(':').flatMap((group, i, all) => {
    if (group.includes('.')) {
      if (!mayEndWithIPv4 || i !== all.length - 1) throw new Error('embedded IPv4 address must replace the final 2 fields of the address');
      const [a, b, c, d] = parseIPv4(group);
      return [(a << 8) | b, (c << 8) | d];
    }
    if (!/^[0-9A-Fa-f]{1,4}$/.test(group)) throw new Error('each colon-separated field must have 1 to 4 hex digits');
    return [parseInt(group, 16)];
  });
}

function parseIPv6(s: string): number[] {
  if (s.includes('%')) throw new Error('zone value is not allowed');
  const halves = s.split('::');
  if (halves.length > 2) throw new Error('multiple :: in address');
  const head = ipv6Groups(halves[0], halves.length === 1);
  const tail = halves.length === 2 ? ipv6Groups(halves[1], true) : [];
  if (halves.length === 1 && head.length !== 8) throw new Error(head.length < 8 ? 'address string too short' : 'trailing garbage after address');
  if (halves.length === 2 && head.length + tail.length > 7) throw new Error('the :: must expand to at least one field of zeros');
  const groups = [...head, ...Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  return groups.flatMap(g => [g >> 8, g & 0xff]);
}

/** Kubernetes' parseIPAddr: netip.ParseAddr, then no zone and no IPv4-mapped IPv6. */
function parseIp(raw: string): Uint8Array {
  let bytes: number[];
  try {
    const kind = /[.:%]/.exec(raw)?.[0];
    if (kind === '.') bytes = parseIPv4(raw);
    else if (kind === ':' || kind === '%') bytes = parseIPv6(raw);
    else throw new Error('unable to parse IP');
  } catch (e) {
    throw new Error(`IP Address ${JSON.stringify(raw)} parse error during conversion from string: ${(e as Error).message}`);
  }
  const mapped = bytes.length === 16 && bytes.slice(0, 10).every(b => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) throw new Error(`IPv4-mapped IPv6 address ${JSON.stringify(raw)} is not allowed`);
  return Uint8Array.from(bytes);
}

/** netip.Addr.String(): dotted IPv4, RFC 5952 IPv6 (longest run of 2+ zero groups becomes `::`). */
function formatIp(addr: Uint8Array): string {
  if (addr.length === 4) return addr.join('.');
  const groups = [...Array(8).keys()].map(i => (addr[2 * i] << 8) | addr[2 * i + 1]);
  let [bestStart, bestLength] = [-1, 1];
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (from: number, to: number) => groups.slice(from, to).map(g => g.toString(16)).join(':');
  return bestStart < 0 ? hex(0, 8) : `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

function isUnspecified(a: Uint8Array): boolean {
  return a.every(b => b === 0);
}
function isLoopback(a: Uint8Array): boolean {
  return a.length === 4 ? a[0] === 127 : a.slice(0, 15).every(b => b === 0) && a[15] === 1;
}
function isMulticast(a: Uint8Array): boolean {
  return a.length === 4 ? (a[0] & 0xf0) === 0xe0 : a[0] === 0xff;
}
function isLinkLocalMulticast(a: Uint8Array): boolean {
  return a.length === 4 ? a[0] === 224 && a[1] === 0 && a[2] === 0 : a[0] === 0xff && (a[1] & 0x0f) === 0x02;
}
function isLinkLocalUnicast(a: Uint8Array): boolean {
  return a.length === 4 ? a[0] === 169 && a[1] === 254 : a[0] === 0xfe && (a[1] & 0xc0) === 0x80;
}
/** netip: private and ULA addresses still count as global unicast. */
function isGlobalUnicast(a: Uint8Array): boolean {
  const broadcast = a.length === 4 && a.every(b => b === 255);
  return !isUnspecified(a) && !broadcast && !isLoopback(a) && !isMulticast(a) && !isLinkLocalUnicast(a);
}

interface Prefix {
  addr: Uint8Array;
  bits: number;
}

function parseCidr(raw: string): Prefix {
  const problem = (why: string) =>
    new Error(`network address parse error during conversion from string: netip.ParsePrefix(${JSON.stringify(raw)}): ${why}`);
  const slash = raw.lastIndexOf('/');
  if (slash < 0) throw problem("no '/'");
  const addr = parseIp(raw.slice(0, slash));
  const bitsText = raw.slice(slash + 1);
  const bits = /^(0|[1-9]\d{0,2})$/.test(bitsText) ? Number(bitsText) : NaN;
  if (!(bits <= addr.length * 8)) throw problem(`bad bits after slash: ${JSON.stringify(bitsText)}`);
  return { addr, bits };
}

function masked(addr: Uint8Array, bits: number): Uint8Array {
  return addr.map((b, i) => (i * 8 >= bits ? 0 : i * 8 + 8 <= bits ? b : b & (0xff << (8 - (bits - i * 8)))));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function prefixContains(prefix: Prefix, addr: Uint8Array, bits: number): boolean {
  return addr.length === prefix.addr.length && bits >= prefix.bits && sameBytes(masked(addr, prefix.bits), masked(prefix.addr, prefix.bits));
}

function ipValue(addr: Uint8Array): ReflectMessage {
  return opaque(IP_DESC, { addr });
}
function cidrValue(prefix: Prefix): ReflectMessage {
  return opaque(CIDR_DESC, prefix);
}
function addrOf(value: ReflectMessage): Uint8Array {
  return fieldsOf<{ addr: Uint8Array }>(value).addr;
}
function prefixOf(value: ReflectMessage): Prefix {
  return fieldsOf<Prefix>(value);
}

function succeeds(attempt: () => unknown): boolean {
  try {
    attempt();
    return true;
  } catch {
    return false;
  }
}

const ipPredicate = (name: string, test: (a: Uint8Array) => boolean) =>
  celMethod(name, IP_T, [], BOOL, function () {
    return test(addrOf(this));
  });

const IP_FUNCS: CelFunc[] = [
  celFunc('ip', [STRING], IP_T, raw => ipValue(parseIp(raw))),
  celFunc('isIP', [STRING], BOOL, raw => succeeds(() => parseIp(raw))),
  celFunc('ip.isCanonical', [STRING], BOOL, raw => formatIp(parseIp(raw)) === raw),
  celFunc('string', [IP_T], STRING, ip => formatIp(addrOf(ip))),
  celMethod('family', IP_T, [], INT, function () {
    return addrOf(this).length === 4 ? 4n : 6n;
  }),
  ipPredicate('isUnspecified', isUnspecified),
  ipPredicate('isLoopback', isLoopback),
  ipPredicate('isLinkLocalMulticast', isLinkLocalMulticast),
  ipPredicate('isLinkLocalUnicast', isLinkLocalUnicast),
  ipPredicate('isGlobalUnicast', isGlobalUnicast),
];

const CIDR_FUNCS: CelFunc[] = [
  celFunc('cidr', [STRING], CIDR_T, raw => cidrValue(parseCidr(raw))),
  celFunc('isCIDR', [STRING], BOOL, raw => succeeds(() => parseCidr(raw))),
  celFunc('string', [CIDR_T], STRING, c => `${formatIp(prefixOf(c).addr)}/${prefixOf(c).bits}`),
  celMethod('containsIP', CIDR_T, [IP_T], BOOL, function (ip) {
    const addr = addrOf(ip);
    return prefixContains(prefixOf(this), addr, addr.length * 8);
  }),
  celMethod('containsIP', CIDR_T, [STRING], BOOL, function (raw) {
    const addr = parseIp(raw);
    return prefixContains(prefixOf(this), addr, addr.length * 8);
  }),
  celMethod('containsCIDR', CIDR_T, [CIDR_T], BOOL, function (other) {
    const inner = prefixOf(other);
    return prefixContains(prefixOf(this), inner.addr, inner.bits);
  }),
  celMethod('containsCIDR', CIDR_T, [STRING], BOOL, function (raw) {
    const inner = parseCidr(raw);
    return prefixContains(prefixOf(this), inner.addr, inner.bits);
  }),
  celMethod('ip', CIDR_T, [], IP_T, function () {
    return ipValue(prefixOf(this).addr);
  }),
  celMethod('masked', CIDR_T, [], CIDR_T, function () {
    const { addr, bits } = prefixOf(this);
    return cidrValue({ addr: masked(addr, bits), bits });
  }),
  celMethod('prefixLength', CIDR_T, [], INT, function () {
    return BigInt(prefixOf(this).bits);
  }),
];

// ---------------------------------------------------------------------------------------------------------------
// Format library and the slice of CEL optionals it needs. Messages are apimachinery's
// (pkg/util/validation/validation.go), so a messageExpression that joins them reads as on a cluster.
// https://pkg.go.dev/k8s.io/apiserver/pkg/cel/library#Format
// ---------------------------------------------------------------------------------------------------------------

function checkLength(value: string, max: number, what = ''): string[] {
  return value.length > max ? [`${what}must be no more than ${max} characters`] : [];
}

/** apimachinery's RegexError: what is wrong, examples, and the regex, for a value that does not match. */
function checkPattern(value: string, pattern: string, what: string, examples: string[]): string[] {
  if (new RegExp(`^(?:${pattern})$`).test(value)) return [];
  return [`${what} (e.g. ${examples.map(e => `'${e}'`).join(',  or ')}, regex used for validation is '${pattern}')`];
}

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const DNS1035_LABEL = '[a-z]([-a-z0-9]*[a-z0-9])?';
const QUALIFIED_NAME = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const ALNUM_ENDS = 'must start and end with an alphanumeric character';
const DNS1123_LABEL_ERROR = `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and ${ALNUM_ENDS}`;
const DNS1123_SUBDOMAIN_ERROR = `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and ${ALNUM_ENDS}`;
const DNS1035_LABEL_ERROR =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, " +
  'and end with an alphanumeric character';
const QUALIFIED_NAME_CHARS = `consist of alphanumeric characters, '-', '_' or '.', and ${ALNUM_ENDS}`;
const QUALIFIED_NAME_EXAMPLES = ['MyName', 'my.name', '123-abc'];

function dns1123Label(s: string): string[] {
  return [...checkLength(s, 63), ...checkPattern(s, DNS1123_LABEL, DNS1123_LABEL_ERROR, ['my-name', '123-abc'])];
}
function dns1123Subdomain(s: string): string[] {
  return [...checkLength(s, 253), ...checkPattern(s, DNS1123_SUBDOMAIN, DNS1123_SUBDOMAIN_ERROR, ['example.com'])];
}
function dns1035Label(s: string): string[] {
  return [...checkLength(s, 63), ...checkPattern(s, DNS1035_LABEL, DNS1035_LABEL_ERROR, ['my-name', 'abc-123'])];
}
function qualifiedName(s: string): string[] {
  const parts = s.split('/');
  if (parts.length > 2) {
    const [error] = checkPattern('', QUALIFIED_NAME, `a qualified name must ${QUALIFIED_NAME_CHARS}`, QUALIFIED_NAME_EXAMPLES);
    return [`${error} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  const name = parts[parts.length - 1];
  const prefix = parts.length === 2 ? parts[0] : undefined;
  const prefixErrors = prefix === '' ? ['prefix part must be non-empty'] : prefix ? dns1123Subdomain(prefix).map(m => `prefix part ${m}`) : [];
  const lengthErrors = name === '' ? ['name part must be non-empty'] : checkLength(name, 63, 'name part ');
  const nameErrors = checkPattern(name, QUALIFIED_NAME, `name part must ${QUALIFIED_NAME_CHARS}`, QUALIFIED_NAME_EXAMPLES);
  return [...prefixErrors, ...lengthErrors, ...nameErrors];
}
function labelValue(s: string): string[] {
  const what = `a valid label must be an empty string or ${QUALIFIED_NAME_CHARS}`;
  return [...checkLength(s, 63), ...checkPattern(s, `(${QUALIFIED_NAME})?`, what, ['MyValue', 'my_value', '12345'])];
}
/** apimachinery's maskTrailingDash, quirk included: `len(name)-2` drops two characters before appending one. */
function asPrefix(validate: (s: string) => string[]): (s: string) => string[] {
  return s => validate(s.length > 1 && s.endsWith('-') ? `${s.slice(0, -2)}a` : s);
}

const FORMATS: Record<string, (s: string) => string[]> = {
  dns1123Label,
  dns1123Subdomain,
  dns1035Label,
  qualifiedName,
  labelValue,
  dns1123LabelPrefix: asPrefix(dns1123Label),
  dns1123SubdomainPrefix: asPrefix(dns1123Subdomain),
  dns1035LabelPrefix: asPrefix(dns1035Label),
  uri: s => (parseUrlCached(s) instanceof Error ? [(parseUrlCached(s) as Error).message] : []),
  uuid: s => (/^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/i.test(s) ? [] : ['does not match the UUID format']),
  byte: s => (/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s) ? [] : ['invalid base64']),
  date: s => (/^\d{4}-\d{2}-\d{2}$/.test(s) && !isCelError(toTimestamp(`${s}T00:00:00Z`)) ? [] : ['invalid date']),
  datetime: s => (!isCelError(toTimestamp(s)) ? [] : ['invalid datetime']),
};

/** `optional.none()` for `oldSelf` of optionalOldSelf rules on create. */
const OPTIONAL_NONE = opaque(OPTIONAL_DESC, { present: false, values: [] });

const FORMAT_FUNCS: CelFunc[] = [
  ...Object.keys(FORMATS).map(name => celFunc(`format.${name}`, [], FORMAT_T, () => opaque(FORMAT_DESC, { name }))),
  celMethod('validate', FORMAT_T, [STRING], OPTIONAL_T, function (value) {
    const errors = FORMATS[fieldsOf<{ name: string }>(this).name](value);
    return opaque(OPTIONAL_DESC, { present: errors.length > 0, values: errors });
  }),
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

// ---------------------------------------------------------------------------------------------------------------
// The environment, and the static check that stands in for a type checker.
// ---------------------------------------------------------------------------------------------------------------

/** Every function the API server's CRD validation environment offers (that we implement). */
const KUBERNETES_CEL_FUNCS: readonly CelFunc[] = [
  ...strings, // cel-go's extended strings library: https://pkg.go.dev/github.com/google/cel-go/ext#Strings
  ...LIST_FUNCS,
  ...SETS_FUNCS,
  ...REGEX_FUNCS,
  ...URL_FUNCS,
  ...QUANTITY_FUNCS,
  ...IP_FUNCS,
  ...CIDR_FUNCS,
  ...FORMAT_FUNCS,
];

function kubernetesEnv(): CelEnv {
  return celEnv({ registry: OPAQUE_TYPES, funcs: [...KUBERNETES_CEL_FUNCS], re2: { compile: compileRe2 } });
}

type Expr = ReturnType<typeof parse>['expr'];

/** Calls the planner evaluates itself rather than through the function registry. */
const PLANNER_OPERATORS = new Set(['_[_]', '_[?_]', '_?._', '_?_:_', '_&&_', '_||_', '@not_strictly_false', '__not_strictly_false__']);
/** Type names, usable as values (`type(x) == string`). */
const TYPE_IDENTIFIERS = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type']);
/** The variables of CRD validation rules; `oldSelf` only in transition rules. */
const RULE_VARIABLES = ['self', 'oldSelf'];

/** The direct subexpressions of `expr`, each with the comprehension variables it adds to the scope. */
function children(expr: Expr): [Expr, string[]][] {
  const kind = expr.exprKind;
  const plain = (e: Expr | undefined): [Expr, string[]][] => (e ? [[e, []]] : []);
  switch (kind.case) {
    case 'selectExpr':
      return plain(kind.value.operand);
    case 'callExpr':
      return [...plain(kind.value.target), ...kind.value.args.flatMap(plain)];
    case 'listExpr':
      return kind.value.elements.flatMap(plain);
    case 'structExpr':
      return kind.value.entries.flatMap(e => [...(e.keyKind.case === 'mapKey' ? plain(e.keyKind.value) : []), ...plain(e.value)]);
    case 'comprehensionExpr': {
      const c = kind.value;
      const loopVars = [c.iterVar, c.iterVar2, c.accuVar].filter(Boolean);
      const scoped = (e: Expr | undefined, vars: string[]): [Expr, string[]][] => (e ? [[e, vars]] : []);
      const loop = [...scoped(c.loopCondition, loopVars), ...scoped(c.loopStep, loopVars)];
      return [...plain(c.iterRange), ...plain(c.accuInit), ...loop, ...scoped(c.result, [c.accuVar])];
    }
    default:
      return [];
  }
}

/** `a.b.c` as a name, when `expr` is a chain of selections on an identifier (`ip`, `format`, `sets`). */
function dottedName(expr: Expr): string | undefined {
  const kind = expr.exprKind;
  if (kind.case === 'identExpr') return kind.value.name;
  if (kind.case === 'selectExpr' && kind.value.operand && !kind.value.testOnly) {
    const operand = dottedName(kind.value.operand);
    return operand && `${operand}.${kind.value.field}`;
  }
  return undefined;
}

/**
 * The first name in `expr` that cannot resolve: an undeclared identifier, an unknown function, or a known
 * function called with a receiver/argument count none of its overloads has.
 */
function unresolved(expr: Expr, scope: ReadonlySet<string>, env: CelEnv): string | undefined {
  const kind = expr.exprKind;
  if (kind.case === 'identExpr') {
    const { name } = kind.value;
    return scope.has(name) || TYPE_IDENTIFIERS.has(name) ? undefined : `undeclared reference to '${name}'`;
  }
  if (kind.case === 'structExpr' && kind.value.messageName) return `unknown type '${kind.value.messageName}'`;
  let parts = children(expr);
  if (kind.case === 'callExpr' && !PLANNER_OPERATORS.has(kind.value.function)) {
    const { function: name, target, args } = kind.value;
    // Like the planner: `ip.isCanonical(x)` is the global function `ip.isCanonical`, not a method on `ip`.
    const qualifier = target && dottedName(target);
    const qualified = qualifier !== undefined && !scope.has(qualifier.split('.')[0]) ? env.funcs.find(`${qualifier}.${name}`) : undefined;
    const overloads = [...(qualified ?? env.funcs.find(name) ?? [])];
    const isMethod = target !== undefined && !qualified;
    if (overloads.length === 0) return `undeclared reference to '${qualifier && !isMethod ? `${qualifier}.` : ''}${name}'`;
    if (!overloads.some(f => (f.target !== undefined) === isMethod && f.arguments.length === args.length)) {
      return `found no matching overload for '${name}' with ${args.length} argument(s)${isMethod ? ' on a receiver' : ''}`;
    }
    if (qualified) parts = args.map(a => [a, []]);
  }
  for (const [child, added] of parts) {
    const problem = unresolved(child, added.length ? new Set([...scope, ...added]) : scope, env);
    if (problem) return problem;
  }
  return undefined;
}

/** Whether `expr` reads variable `name` (not a comprehension variable that shadows it). */
function references(expr: Expr, name: string): boolean {
  if (expr.exprKind.case === 'identExpr') return expr.exprKind.value.name === name;
  return children(expr).some(([child, added]) => !added.includes(name) && references(child, name));
}

// ---------------------------------------------------------------------------------------------------------------
// JSON → CEL values, typed by the structural schema the way the API server types them
// (apiserver pkg/cel/common/values.go): integer → int, number → double, int-or-string → int or string,
// string formats byte/duration/date/date-time → bytes/duration/timestamp, and escaped property names.
// ---------------------------------------------------------------------------------------------------------------

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

function objectToCel(value: Record<string, unknown>, schema: StructuralSchema): CelInput {
  const entries = new Map<string, CelInput>();
  const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  const open = schema['x-kubernetes-preserve-unknown-fields'] || schema.additionalProperties === true || (!schema.properties && !additional);
  for (const [key, field] of Object.entries(value)) {
    if (field === undefined) continue;
    const propertySchema = schema.properties?.[key];
    if (propertySchema) {
      const name = escapeFieldName(key);
      if (name !== undefined) entries.set(name, toCelValue(field, propertySchema));
    } else if (additional) {
      entries.set(key, toCelValue(field, additional)); // map keys are data, never escaped
    } else if (open) {
      entries.set(key, dynamicToCel(field));
    }
  }
  return celMap(entries);
}

/** `value` (a JSON value at `schema`) as the CEL value the API server binds to `self`. */
export function toCelValue(value: unknown, schema: StructuralSchema | undefined): CelInput {
  if (value === null || value === undefined) return null;
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
      return Array.isArray(value) ? celList(value.map(item => toCelValue(item, schema.items))) : dynamicToCel(value);
    case 'object':
      return typeof value === 'object' && !Array.isArray(value) ? objectToCel(value as Record<string, unknown>, schema) : dynamicToCel(value);
    default: {
      const isObject = typeof value === 'object' && !Array.isArray(value);
      return isObject && schema.properties ? objectToCel(value as Record<string, unknown>, schema) : dynamicToCel(value);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------------------------

type Program = (bindings: Record<string, CelInput>) => CelResult;

type Compiled = { ok: true; run: Program; transition: boolean } | { ok: false; error: string };

/** apiserver's ruleErrorString: the message if there is one, else the rule on one line. */
function ruleErrorString(rule: ValidationRule): string {
  return rule.message?.trim() || rule.rule.replace(/\n/g, ' ').trim();
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Compiles and evaluates CRD validation rules. Compiled programs are cached by rule text, so one instance
 * should serve a whole run (the ~1600 rules of the pinned CRDs are ~240 distinct texts).
 */
export class CelRules {
  private readonly env = kubernetesEnv();
  private readonly compiled = new Map<string, Compiled>();

  /** Why `rule` (a rule or a messageExpression) would not compile, or undefined if it would. */
  check(rule: string): string | undefined {
    const compiled = this.compile(rule);
    return compiled.ok ? undefined : compiled.error;
  }

  /** Evaluates `rule` with `self` bound to `value`, the JSON value (defaults applied) at `schema`. */
  evaluate(rule: ValidationRule, value: unknown, schema: StructuralSchema): RuleOutcome {
    const compiled = this.compile(rule.rule);
    if (!compiled.ok) return { status: 'error', message: `rule does not compile: ${compiled.error}: ${oneLine(rule.rule)}` };
    if (compiled.transition && !rule.optionalOldSelf) return { status: 'skipped', reason: 'transition rule (oldSelf) needs the previous object' };
    const bindings: Record<string, CelInput> = { self: toCelValue(value, schema) };
    if (compiled.transition) bindings.oldSelf = OPTIONAL_NONE; // a create: there is no old object
    const result = compiled.run(bindings);
    if (isCelError(result)) return { status: 'error', message: this.runtimeError(rule, result.message) };
    if (typeof result !== 'boolean') return { status: 'error', message: this.runtimeError(rule, `rule evaluated to ${typeof result}, not bool`) };
    return result ? { status: 'pass' } : { status: 'fail', message: this.failureMessage(rule, bindings) };
  }

  private runtimeError(rule: ValidationRule, error: string): string {
    const ruleText = rule.message?.trim() ? ` (rule: ${oneLine(rule.rule)})` : '';
    return `${error} evaluating rule: ${ruleErrorString(rule)}${ruleText}`;
  }

  /** The API server's choice: a usable messageExpression result, else `message`, else `failed rule: <rule>`. */
  private failureMessage(rule: ValidationRule, bindings: Record<string, CelInput>): string {
    if (rule.messageExpression) {
      const compiled = this.compile(rule.messageExpression);
      const message = compiled.ok ? compiled.run(bindings) : undefined;
      // Errors, non-strings, blank or multi-line results fall back, as on the API server.
      if (typeof message === 'string' && message.trim() !== '' && !message.includes('\n')) return message;
    }
    return rule.message?.trim() || `failed rule: ${ruleErrorString(rule)}`;
  }

  private compile(text: string): Compiled {
    let compiled = this.compiled.get(text);
    if (!compiled) {
      compiled = this.compileUncached(text);
      this.compiled.set(text, compiled);
    }
    return compiled;
  }

  private compileUncached(text: string): Compiled {
    let expr: Expr;
    try {
      expr = parse(text).expr;
    } catch (e) {
      return { ok: false, error: `syntax error: ${(e as Error).message}` };
    }
    try {
      const problem = unresolved(expr, new Set(RULE_VARIABLES), this.env);
      if (problem) return { ok: false, error: problem };
      return { ok: true, run: plan(this.env, expr) as Program, transition: references(expr, 'oldSelf') };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }
}
