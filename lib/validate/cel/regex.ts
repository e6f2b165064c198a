/**
 * Regex: `matches` is standard CEL and `@bufbuild/cel` already runs it on its RE2 engine (@bufbuild/re2); we
 * only cache compiled patterns. `find`/`findAll` need match positions, which that engine does not expose, so
 * they run on a JS RegExp translated from the RE2 pattern (after RE2 has accepted it); RE2 features that
 * JS lacks make the call fail rather than silently differ.
 * https://kubernetes.io/docs/reference/using-api/cel/#kubernetes-regex-library
 */
import { celFunc, celMethod, listType, type CelFunc } from '@bufbuild/cel';
import { RE2JS } from '@bufbuild/re2';
import { BOOL, INT, memoize, STRING } from './shared';

export const compileRe2 = memoize(pattern => RE2JS.compile(pattern));

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

/**
 * Whether a backtracking engine runs `pattern` without blowing up: no repeated group that itself repeats or
 * alternates (the shapes of catastrophic backtracking, like `(a+)+` or `(a|a)*`), unless every iteration starts with a
 * literal character that nothing else in the group can match (`(\.[a-z]+)*`: iterations cannot overlap).
 */
function backtrackingSafe(pattern: string): boolean {
  interface Group { risky: boolean; start: number; end?: number; classes: string[] }
  const groups: Group[] = [{ risky: false, start: 0, classes: [] }];
  let closed: Group | undefined;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const repeats = c === '*' || c === '+' || (c === '{' && /^\{\d*,\d*\}|^\{\d*[2-9]\d*\}/.test(pattern.slice(i)));
    if (repeats) {
      if (closed?.risky && !delimited(pattern, closed)) return false;
      groups[groups.length - 1].risky = true;
    }
    if (c !== '?' && !repeats) closed = undefined;
    if (c === '\\') i++;
    else if (c === '[') {
      const from = i;
      i++;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
      for (const g of groups) g.classes.push(pattern.slice(from, i + 1));
    } else if (c === '(') groups.push({ risky: false, start: i + 1, classes: [] });
    else if (c === ')') {
      closed = groups.pop();
      if (!closed) return false;
      closed.end = i;
      if (closed.risky) groups[groups.length - 1].risky = true;
    } else if (c === '|') groups[groups.length - 1].risky = true;
  }
  return true;
}

/** Whether a group begins with a literal (plain or escaped punctuation) that none of its classes contains. */
function delimited(pattern: string, group: { start: number; end?: number; classes: string[] }): boolean {
  let at = group.start;
  if (pattern.startsWith('?:', at)) at += 2;
  const escaped = pattern[at] === '\\';
  const literal = escaped && /[^\w\s]/.test(pattern[at + 1] ?? '') ? pattern[at + 1] : !escaped && /[A-Za-z0-9,;:\/=@_-]/.test(pattern[at] ?? '') ? pattern[at] : undefined;
  if (literal === undefined) return false;
  const after = at + (escaped ? 2 : 1);
  // The literal itself must not repeat, nor appear again in the group.
  if (/[*+?{]/.test(pattern[after] ?? '') || pattern.slice(after, group.end).includes(literal)) return false;
  return group.classes.every(cls => {
    const body = cls.slice(1, -1);
    if (body.startsWith('^') || body.includes('\\')) return false; // negations and escapes: do not guess
    if (body.includes(literal)) return false;
    for (const m of body.matchAll(/(.)-(.)/g)) if (m[1] <= literal && literal <= m[2]) return false;
    return true;
  });
}

/**
 * `regexp.MatchString(pattern, text)` (unanchored) with RE2's verdict on the pattern: through an equivalent JS
 * RegExp where that is safe from catastrophic backtracking (RE2JS is ~10x slower), else RE2 itself.
 */
export const re2Tester = memoize((pattern: string): ((text: string) => boolean) => {
  const re2 = compileRe2(pattern); // throws on what Go's regexp refuses
  if (backtrackingSafe(pattern)) {
    try {
      const js = translateRe2(pattern);
      const once = new RegExp(js.source, js.flags.replace('g', ''));
      return text => once.test(text);
    } catch {
      // A feature JS lacks: RE2 decides.
    }
  }
  return text => re2.test(text);
});

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

export const REGEX_FUNCS: CelFunc[] = [
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
