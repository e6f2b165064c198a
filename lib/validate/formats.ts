/**
 * String formats exactly as the API server checks them in custom resources.
 *
 * Which formats: apiextensions-apiserver@v0.33:pkg/apiserver/validation/formats.go `supportedVersionedFormats` — the
 * server strips every other format from a CRD schema before validating, so an unknown format accepts anything, and
 * `k8s-short-name`/`k8s-long-name` only count from Kubernetes 1.34 (we validate as 1.33, the version of the built-in
 * schemas). Names are normalized by dropping `-` (go-openapi's DefaultNameNormalizer: `date-time` is `datetime`),
 * and a format only applies to a schema of type string or no type.
 *
 * How strict: kube-openapi:pkg/validation/strfmt/default.go, date.go, time.go, duration.go, bson.go and the govalidator
 * functions it calls (pkg/internal/third_party/govalidator), each rewritten below from that source.
 */
import { parseUrlCached } from './cel/url';

/** The Kubernetes minor version whose format list we apply. */
export const FORMAT_SERVER_VERSION = '1.33';

const normalize = (name: string) => name.replace(/-/g, '');

// strfmt/default.go HostnamePattern (\p{S}\p{L} need the `u` flag).
const HOSTNAME = /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$/u;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID3 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID4 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const UUID5 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
// govalidator/patterns.go
const CREDIT_CARD = /^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11})$/;
const ISBN10 = /^(?:[0-9]{9}X|[0-9]{10})$/;
const ISBN13 = /^(?:[0-9]{13})$/;
const HEX_COLOR = /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const RGB_COLOR = /^rgb\(\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*\)$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;
const SSN = /^\d{3}[- ]?\d{2}[- ]?\d{4}$/;
// strfmt/time.go DateTimePattern (the `.` is unescaped upstream: any character).
const DATE_TIME_TIME = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** strfmt.IsHostname. */
export function isHostname(s: string): boolean {
  return HOSTNAME.test(s) && bytes(s) <= 255 && s.split('.').every(p => bytes(p) <= 63);
}

/** Go's time.Parse("2006-01-02", s): two-digit month and day, and a day that exists in that month. */
export function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** strfmt.IsDateTime: a date, a `t`/`T`, then hh:mm:ss[.frac](z|±hh:mm). */
export function isDateTime(s: string): boolean {
  if (s.length < 4) return false;
  const parts = s.toLowerCase().split('t');
  if (parts.length < 2 || !isDate(parts[0])) return false;
  const m = DATE_TIME_TIME.exec(parts[1]);
  return m !== null && m[1] <= '23' && m[2] <= '59' && m[3] <= '59';
}

// Go's time.ParseDuration: a sequence of decimal numbers with units, optionally signed; "0" alone is valid.
const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;
// strfmt/duration.go timeUnits: the last variant of each unit matches as a prefix ("minutes" for "min").
const SCALA_UNITS: readonly string[][] = [['ns', 'nano'], ['us', 'µs', 'micro'], ['ms', 'milli'], ['s', 'sec'], ['m', 'min'], ['h', 'hr', 'hour'], ['d', 'day'], ['w', 'wk', 'week']];

/** strfmt.ParseDuration succeeds: Go's time.ParseDuration, else at least one `<digits> <unit>` match. */
export function isDuration(s: string): boolean {
  if (GO_DURATION.test(s)) return true;
  for (const m of s.matchAll(/((\d+)\s*([A-Za-zµ]+))/g)) {
    const unit = m[3].trim().toLowerCase();
    if (SCALA_UNITS.some(variants => variants.some((v, i) => (i === variants.length - 1 && unit.startsWith(v)) || v.toLowerCase() === unit))) return true;
  }
  return false;
}

/** Go's net.ParseIP for IPv4, with k8s.io/utils/net's "sloppy" leading zeros (go < 1.17 compatible). */
function sloppyIPv4(s: string): boolean {
  const fields = s.split('.');
  return fields.length === 4 && fields.every(f => /^\d+$/.test(f) && Number(f) <= 255);
}

/** Go's net.ParseIP (IPv6 form, embedded IPv4 allowed, no zone). */
function parseIPv6(s: string, sloppy: boolean): boolean {
  if (s.includes('%')) return false;
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groups = (part: string, last: boolean): number | undefined => {
    if (part === '') return 0;
    let n = 0;
    const fields = part.split(':');
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      if (f.includes('.')) {
        if (!last || i !== fields.length - 1 || !(sloppy ? sloppyIPv4(f) : strictIPv4(f))) return undefined;
        n += 2;
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(f)) n++;
      else return undefined;
    }
    return n;
  };
  const head = groups(halves[0], halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1], true) : 0;
  if (head === undefined || tail === undefined) return false;
  return halves.length === 1 ? head === 8 : head + tail <= 7;
}

function strictIPv4(s: string): boolean {
  const fields = s.split('.');
  return fields.length === 4 && fields.every(f => /^(0|[1-9]\d{0,2})$/.test(f) && Number(f) <= 255);
}

/** net.ParseIPSloppy(s) != nil. */
function isIPSloppy(s: string): boolean {
  return sloppyIPv4(s) || (s.includes(':') && parseIPv6(s, true));
}

/** strfmt isCIDR: netutils.ParseCIDRSloppy — an address, `/`, and a prefix length within its family. */
export function isCidr(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const addr = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return false;
  if (sloppyIPv4(addr)) return Number(bits) <= 32;
  return parseIPv6(addr, true) && Number(bits) <= 128;
}

/** Go's net.ParseMAC: 6, 8 or 20 octets as xx:xx…, xx-xx… or xxxx.xxxx…. */
export function isMac(s: string): boolean {
  const colon = /^[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2})*$/.exec(s);
  if (colon) return [6, 8, 20].includes((s.length + 1) / 3);
  if (/^[0-9A-Fa-f]{4}(\.[0-9A-Fa-f]{4})*$/.test(s)) return [6, 8, 20].includes(((s.length + 1) / 5) * 2);
  return false;
}

function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = Number(digits[i]);
    if (double) d = d * 2 >= 10 ? (d * 2 % 10) + 1 : d * 2;
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** govalidator.IsISBN(s, 10 | 13). */
export function isIsbn(s: string, version: 10 | 13): boolean {
  const d = s.replace(/[\s-]+/g, '');
  if (version === 10) {
    if (!ISBN10.test(d)) return false;
    let sum = 0;
    for (let i = 0; i < 9; i++) sum += (i + 1) * Number(d[i]);
    sum += 10 * (d[9] === 'X' ? 10 : Number(d[9]));
    return sum % 11 === 0;
  }
  if (!ISBN13.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (i % 2 === 0 ? 1 : 3) * Number(d[i]);
  return Number(d[12]) - ((10 - (sum % 10)) % 10) === 0;
}

// RFC 5322 atext as Go's net/mail accepts it: ASCII specials plus any non-ASCII (UTF-8) character.
const ATEXT = "A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~\\u0080-\\u{10FFFF}";
const DOT_ATOM = new RegExp(`^[${ATEXT}]+(\\.[${ATEXT}]+)*$`, 'u');
const QUOTED = /^"((?:[^"\\\r\n]|\\.)*)"$/u;

/** strfmt.IsEmail: net/mail.ParseAddress succeeds with a non-empty address (addr-spec, optionally as `Name <addr>`). */
export function isEmail(s: string): boolean {
  let spec = s.trim();
  const angle = /^(.*?)\s*<([^<>]*)>$/u.exec(spec);
  if (angle) {
    const name = angle[1].trim();
    if (name !== '' && !QUOTED.test(name) && !/^[^"<>@,;:\\[\]()]+$/u.test(name)) return false;
    spec = angle[2];
  }
  const at = spec.lastIndexOf('@');
  if (at <= 0) return false;
  const local = spec.slice(0, at);
  const domain = spec.slice(at + 1);
  const localOk = DOT_ATOM.test(local) || QUOTED.test(local);
  const domainOk = DOT_ATOM.test(domain) || /^\[[^[\]\\]*\]$/.test(domain);
  return localOk && domainOk;
}

/** Each supported format's check, by normalized name. */
const CHECKS = new Map<string, (s: string) => boolean>([
  ['bsonobjectid', s => /^[0-9a-fA-F]{24}$/.test(s)],
  ['uri', s => !(parseUrlCached(s) instanceof Error)],
  ['email', isEmail],
  ['hostname', isHostname],
  ['ipv4', s => isIPSloppy(s) && s.includes('.')],
  ['ipv6', s => s.includes(':') && parseIPv6(s, false)],
  ['cidr', isCidr],
  ['mac', isMac],
  ['uuid', s => UUID.test(s)],
  ['uuid3', s => UUID3.test(s)],
  ['uuid4', s => UUID4.test(s)],
  ['uuid5', s => UUID5.test(s)],
  ['isbn', s => isIsbn(s, 10) || isIsbn(s, 13)],
  ['isbn10', s => isIsbn(s, 10)],
  ['isbn13', s => isIsbn(s, 13)],
  ['creditcard', s => {
    const digits = s.replace(/[^0-9]+/g, '');
    return CREDIT_CARD.test(digits) && luhn(digits);
  }],
  ['ssn', s => s.length === 11 && SSN.test(s)],
  ['hexcolor', s => HEX_COLOR.test(s)],
  ['rgbcolor', s => RGB_COLOR.test(s)],
  ['byte', s => BASE64.test(s)],
  ['password', () => true],
  ['date', isDate],
  ['duration', isDuration],
  ['datetime', isDateTime],
]);

/**
 * The check the API server makes for `format` on a string at a schema of `type`, or undefined when it makes none
 * (unknown format, a format of a later version, or a non-string type).
 */
export function formatCheck(format: string, type: string | undefined): ((s: string) => boolean) | undefined {
  if (type !== undefined && type !== 'string') return undefined;
  return CHECKS.get(normalize(format));
}

