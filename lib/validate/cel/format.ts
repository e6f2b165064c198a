/**
 * Format library; `<Format>.validate()` returns an optional (see ./optional). Messages are apimachinery's
 * (pkg/util/validation/validation.go), so a messageExpression that joins them reads as on a cluster.
 * https://pkg.go.dev/k8s.io/apiserver/pkg/cel/library#Format
 */
import { celFunc, celMethod, isCelError, type CelFunc } from '@bufbuild/cel';
import { fieldsOf, FORMAT_DESC, FORMAT_T, opaque, OPTIONAL_DESC, OPTIONAL_T } from './opaque-types';
import { toTimestamp } from './operators';
import { STRING } from './shared';
import { parseUrlCached } from './url';

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

export const FORMAT_FUNCS: CelFunc[] = [
  ...Object.keys(FORMATS).map(name => celFunc(`format.${name}`, [], FORMAT_T, () => opaque(FORMAT_DESC, { name }))),
  celMethod('validate', FORMAT_T, [STRING], OPTIONAL_T, function (value) {
    const errors = FORMATS[fieldsOf<{ name: string }>(this).name](value);
    return opaque(OPTIONAL_DESC, { present: errors.length > 0, values: errors });
  }),
];
