/**
 * What go-yaml v2 (sigs.k8s.io/yaml@v1.4.0's fork, which kubectl 1.32 decodes with) refuses but js-yaml accepts,
 * each observed with `kubectl label --local -f FILE x=y -o json` (no cluster needed) and pinned in
 * __tests__/validate-semantics.test.ts:
 * - an implicit key whose `:` is more than 1,024 characters after the key's start, block or flow, plain or quoted
 *   (goyaml.v2/scannerc.go `yaml_parser_stale_simple_keys`: the key is no longer possible);
 * - a `\u`/`\U` escape of a surrogate (D800-DFFF), even a valid pair, in a double-quoted scalar
 *   (scannerc.go: "found invalid Unicode character escape code");
 * - a null key (`~`, `null`, empty) or a mapping or sequence as a key: go-yaml decodes them, and sigs.k8s.io/yaml's
 *   JSON conversion refuses them ("unsupported map key of type", "invalid map key"); other scalars (`1`, `yes`,
 *   `1.5`) become string keys, as js-yaml makes them.
 * The check reads the document's syntax tree (the `yaml` package, already a dependency through cdk8s); the decoder
 * runs it only on documents a cheap scan finds suspect ({@link hasLongLine}, {@link SURROGATE_ESCAPE}, or a collection
 * or null followed by ':' as js-yaml reads it), so ordinary input pays only for the scan.
 */
import type * as YamlLib from 'yaml';

// Loaded on the first suspect document only: ordinary runs never pay for the `yaml` package.
let yamlLib: typeof YamlLib | undefined;

/** Why go-yaml (or kubectl's JSON conversion) refuses the document, with its 0-based line; undefined if it does not. */
export function goYamlRefusal(text: string): { line: number; message: string } | undefined {
  const { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit } = (yamlLib ??= require('yaml') as typeof YamlLib);
  const lines = new LineCounter();
  const doc = parseDocument(text, { version: '1.1', uniqueKeys: false, lineCounter: lines, keepSourceTokens: false });
  if (doc.errors.length > 0) {
    const over = doc.errors.find(e => e.code === 'KEY_OVER_1024_CHARS');
    // Other syntax errors are js-yaml's to report, with its own wording.
    return over ? { line: lines.linePos(over.pos[0]).line - 1, message: LONG_KEY } : undefined;
  }
  let found: { line: number; message: string } | undefined;
  const at = (offset: number | undefined) => (offset === undefined ? 0 : lines.linePos(offset).line - 1);
  visit(doc, {
    Pair(_, pair) {
      const key = pair.key;
      if (key === null || (isScalar(key) && key.value === null)) {
        found = { line: at(isScalar(key) ? key.range?.[0] : (pair.value as any)?.range?.[0]), message: 'a null key (`~`, `null` or an empty key) cannot be converted to JSON: kubectl refuses the document ("unsupported map key of type <nil>"). Fix: quote the key, or remove it' };
        return visit.BREAK;
      }
      if (isMap(key) || isSeq(key)) {
        found = { line: at(key.range?.[0]), message: 'a mapping or sequence used as a key cannot be converted to JSON: kubectl refuses the document ("invalid map key"). Fix: use a string key' };
        return visit.BREAK;
      }
      if (isScalar(key) && !isAlias(key) && key.range && tooLong(text, key.range[0], key.range[1])) {
        found = { line: at(key.range[0]), message: LONG_KEY };
        return visit.BREAK;
      }
      return undefined;
    },
    Scalar(_, scalar) {
      if (scalar.type !== 'QUOTE_DOUBLE' || !scalar.range) return undefined;
      if (surrogateEscape(text.slice(scalar.range[0], scalar.range[1]))) {
        found = { line: at(scalar.range[0]), message: 'found invalid Unicode character escape code: go-yaml refuses a \\u or \\U escape of a UTF-16 surrogate (D800-DFFF), even a valid pair. Fix: write the character itself, or \\U0001F600 for U+1F600' };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

const LONG_KEY = 'a key longer than 1,024 characters: go-yaml (and so kubectl) refuses an implicit key whose ":" comes more than 1,024 characters after its start ("could not find expected \':\'" or "mapping values are not allowed in this context"). Fix: shorten the key, or use an explicit key ("? key" on one line, ": value" on the next)';

/** Whether a line is over 1,024 characters: the only place a too-long implicit key can be (one pass, no regex). */
export function hasLongLine(text: string): boolean {
  for (let start = 0; start < text.length;) {
    const end = text.indexOf('\n', start);
    const stop = end === -1 ? text.length : end;
    if (stop - start > 1024) return true;
    start = stop + 1;
  }
  return false;
}
/** A `\u`/`\U` escape of a surrogate, somewhere (maybe not in a double-quoted scalar: the exact check decides). */
export const SURROGATE_ESCAPE = /\\(?:u[dD][89a-fA-F]|U0000[dD][89a-fA-F])/;

// The ':' of an implicit key on the key's line, more than 1,024 characters (code points) after its start.
function tooLong(text: string, start: number, end: number): boolean {
  if (end - start < 1000) return false;
  const m = /^[ \t]*:/.exec(text.slice(end, end + 1000));
  if (!m) return false; // an explicit key's ':' is on another line
  const colon = end + m[0].length - 1;
  const span = text.slice(start, colon);
  return !span.includes('\n') && [...span].length > 1024;
}

// A double-quoted scalar's source with a \u or \U escape in D800-DFFF (a `\\` before it is a literal backslash).
function surrogateEscape(source: string): boolean {
  for (let i = 0; i < source.length; i++) {
    if (source[i] !== '\\') continue;
    const c = source[i + 1];
    const width = c === 'u' ? 4 : c === 'U' ? 8 : 0;
    if (width > 0) {
      const code = parseInt(source.slice(i + 2, i + 2 + width), 16);
      if (code >= 0xd800 && code <= 0xdfff) return true;
    }
    i++; // skip the escaped character
  }
  return false;
}
