/**
 * URL library: Go's url.ParseRequestURI, ported (go1.22 net/url/url.go), because what is a URL is Go's call.
 * https://kubernetes.io/docs/reference/using-api/cel/#kubernetes-url-library
 */
import { celFunc, celMethod, listType, mapType, type CelFunc } from '@bufbuild/cel';
import type { ReflectMessage } from '@bufbuild/protobuf/reflect';
import { fieldsOf, opaque, URL_DESC, URL_T } from './opaque-types';
import { BOOL, memoize, STRING } from './shared';

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

export const parseUrlCached = memoize((raw: string): GoUrl | Error => {
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

export const URL_FUNCS: CelFunc[] = [
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
