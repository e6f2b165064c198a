/**
 * IP and CIDR libraries: Go's netip parsing (no zones, no IPv4-mapped IPv6, no leading zeros), as bytes.
 * https://kubernetes.io/docs/reference/using-api/cel/#kubernetes-ip-address-library
 * https://kubernetes.io/docs/reference/using-api/cel/#kubernetes-cidr-library
 */
import { celFunc, celMethod, type CelFunc } from '@bufbuild/cel';
import type { ReflectMessage } from '@bufbuild/protobuf/reflect';
import { CIDR_DESC, CIDR_T, fieldsOf, IP_DESC, IP_T, opaque } from './opaque-types';
import { BOOL, INT, STRING } from './shared';

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

export const IP_FUNCS: CelFunc[] = [
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

export const CIDR_FUNCS: CelFunc[] = [
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
