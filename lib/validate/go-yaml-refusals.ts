/**
 * What go-yaml (kubectl's YAML parser: sigs.k8s.io/yaml v1.4.0 over its go-yaml v2 fork) refuses in documents
 * js-yaml accepts; each verdict observed with kubectl 1.32 (`__tests__/validate-semantics.test.ts`). See
 * yaml-decode.ts for the whole decoding.
 */
import { GO_INT, INT64_MAX, NULLS, startsNumeric } from './yaml-decode';

const NULL_KEY_TAGS = new Set(['!!null', 'tag:yaml.org,2002:null']);

/**
 * What go-yaml refuses in a document js-yaml accepts (see the header): the first such place, 0-based line, or
 * undefined. Read from the `yaml` package's concrete syntax tree (tokens with offsets, no type resolution), and only
 * when a cheap look at the text or at the decoded keys says it could matter.
 */
export function goYamlRefusal(text: string, suspiciousKeys: boolean): { line: number; message: string } | undefined {
  const longLine = /[^\n]{1025}/.test(text);
  const escapes = /\\[uU]/.test(text);
  if (!longLine && !escapes && !suspiciousKeys) return undefined;
  const YAML: typeof import('yaml') = require('yaml');
  const lineOf = (offset: number) => (text.slice(0, offset).match(/\n/g)?.length ?? 0);
  let found: { line: number; message: string } | undefined;
  const refuse = (offset: number, message: string) => {
    found ??= { line: lineOf(offset), message };
  };
  for (const token of new YAML.Parser().parse(text)) {
    if (token.type !== 'document') continue;
    YAML.CST.visit(token, item => {
      const colon = item.sep?.find(t => t.type === 'map-value-ind');
      const explicit = item.start.some(t => t.type === 'explicit-key-ind');
      if (!colon) return undefined; // a sequence item
      const key = item.key;
      const tag = item.start.find(t => t.type === 'tag')?.source;
      if (key && !explicit && longLine && [...text.slice(key.offset, colon.offset)].length > 1024) {
        refuse(key.offset, 'a mapping key is more than 1,024 characters from its start to its ":" (go-yaml, which kubectl uses, refuses it as YAML does: write it as an explicit "? key" or shorten it)');
      }
      if (!suspiciousKeys) return undefined;
      if (key && (key.type === 'flow-collection' || key.type === 'block-map' || key.type === 'block-seq')) {
        refuse(key.offset, 'invalid map key: a sequence or mapping cannot be a key (kubectl: "yaml: invalid map key")');
      } else if (!key || (key.type === 'scalar' && (tag ? NULL_KEY_TAGS.has(tag) : NULLS.has(key.source)))) {
        refuse(key?.offset ?? colon.offset, 'a null key cannot be converted to JSON (kubectl: "unsupported map key of type: <nil>"); quote it if "null" is meant');
      } else if (key.type === 'scalar' && !tag && startsNumeric(key.source)) {
        const n = goIntegerBig(key.source);
        if (n !== undefined && n > INT64_MAX) refuse(key.offset, `the key ${key.source} is beyond int64 and cannot be converted to JSON (kubectl: "unsupported map key of type: uint64"); quote it`);
      }
      return undefined;
    });
    if (escapes && !found) {
      for (const lexeme of collectDoubleQuoted(token)) {
        const bad = badEscape(lexeme.source);
        if (bad) refuse(lexeme.offset, `found invalid Unicode character escape code ${bad}: go-yaml, which kubectl uses, refuses surrogate halves (U+D800 to U+DFFF) and code points beyond U+10FFFF; write the character itself or \\U and its code point`);
      }
    }
    if (found) return found;
  }
  return found;
}

function collectDoubleQuoted(token: unknown): { offset: number; source: string }[] {
  const out: { offset: number; source: string }[] = [];
  const stack: unknown[] = [token];
  while (stack.length > 0) {
    const t = stack.pop() as any;
    if (!t || typeof t !== 'object') continue;
    if (t.type === 'double-quoted-scalar') out.push({ offset: t.offset, source: t.source });
    for (const v of Object.values(t)) if (v && typeof v === 'object') stack.push(v);
  }
  return out;
}

// goyaml.v2/scannerc.go yaml_parser_scan_flow_scalar: each \x, \u, \U escape on its own.
function badEscape(quoted: string): string | undefined {
  const re = /\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|[\s\S])/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(quoted))) {
    const hex = m[1] ?? m[2];
    if (!hex) continue;
    const value = parseInt(hex, 16);
    if ((value >= 0xd800 && value <= 0xdfff) || value > 0x10ffff) return m[0];
  }
  return undefined;
}

function goIntegerBig(text: string): bigint | undefined {
  const m = GO_INT.exec(text.replace(/_/g, ''));
  if (!m) return undefined;
  const digits = m[2];
  const body = /^0[oO]/.test(digits) ? `0o${digits.slice(2)}` : /^0[0-7]+$/.test(digits) ? `0o${digits.slice(1)}` : digits;
  return m[1] === '-' ? -BigInt(body) : BigInt(body);
}

/**
 * Whether a decoded key may stand for one go-yaml refuses: js-yaml writes a null key as "null", a sequence key as its
 * items joined by ",", a mapping key as "[object Object]", and a uint64 key as 20 digits. Walks without recursion.
 */
export function hasSuspiciousKey(root: unknown): boolean {
  const stack: unknown[] = [root];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
      continue;
    }
    for (const key of Object.keys(v)) {
      if (key === 'null' || key.includes(',') || key === '[object Object]' || /^\d{19,}$/.test(key)) return true;
      stack.push((v as Record<string, unknown>)[key]);
    }
  }
  return false;
}

