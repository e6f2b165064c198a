// The API server's semantics, each behaviour from the upstream source or test table named beside it:
// kubectl's YAML->JSON decoding, CRD pruning/defaulting/validation order, junctors, formats, built-in leniency.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BuiltinSchemas } from '../lib/validate/builtin-schemas';
import { ValidationCache } from '../lib/validate/cache';
import { CelRules } from '../lib/validate/cel';
import { formatFinding } from '../lib/validate/findings';
import { formatCheck } from '../lib/validate/formats';
import { validateAgainstSchema } from '../lib/validate/structural';
import { StructuralSchema } from '../lib/validate/structural-schema';
import { Validator } from '../lib/validate/validator';
import { decodeYaml } from '../lib/validate/yaml-decode';
import { mirrorResolver } from './helpers';

const validator = new Validator({ resolver: mirrorResolver(), cache: ValidationCache.default() });
const cel = new CelRules();

function findings(text: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'semantics-'));
  fs.writeFileSync(path.join(dir, 'input.yaml'), text);
  return validator.validatePaths([dir]).findings.filter(f => f.severity === 'error').map(f => formatFinding({ ...f, file: 'input.yaml' }));
}

const value = (text: string) => {
  const r = decodeYaml(text);
  if (!r.ok) throw new Error(r.message);
  return JSON.parse(JSON.stringify(r.value));
};

describe('YAML is decoded as kubectl converts it to JSON (sigs.k8s.io/yaml on go-yaml v2)', () => {
  // goyaml.v2/resolve.go resolve(): the resolve map and strconv.ParseInt(plain, 0, 64); cases after
  // goyaml.v2/decode_test.go unmarshalTests.
  test.each([
    ['v: 2024-01-01', '2024-01-01'], // timestamps stay strings when decoding into interface{} (decode.go)
    ['v: 2001-12-14t21:59:43.10-05:00', '2001-12-14t21:59:43.10-05:00'],
    ['v: yes', true], ['v: On', true], ['v: n', false], ['v: OFF', false], ['v: "yes"', 'yes'],
    ['v: 0777', 511], ['v: 0o17', 15], ['v: 0x1F', 31], ['v: 0b1010', 10], ['v: -0b11', -3], ['v: 1_000', 1000],
    ['v: +12', 12], ['v: 08', 8], ['v: 1e3', 1000], ['v: .5', 0.5], ['v: 1e400', '1e400'],
    ['v: 1:30', '1:30'], // no sexagesimal in go-yaml v2 (YAML 1.1 libraries read 90)
    ['v: ~', null], ['v:', null], ['v: Null', null],
    ['v: !!int "12"', 12], ['v: !!str 12', '12'], ['v: !Ref foo', 'foo'], ['v: !!binary aGVsbG8=', 'hello'],
  ])('%s', (text, expected) => {
    expect(value(text).v).toEqual(expected);
  });

  test('big integers beyond int64 are uint64, then floats, as JSON numbers', () => {
    expect(value('v: 18446744073709551615').v).toBe(18446744073709551615);
    expect(value('v: 184467440737095516150').v).toBe(1.8446744073709552e20);
  });

  test('keys resolve like values: yes: becomes "true", 0x10: becomes "16"', () => {
    expect(value('yes: 1\n0x10: 2\nn: 3')).toEqual({ true: 1, 16: 2, false: 3 });
  });

  test('merge keys merge, explicit keys win', () => {
    expect(value('base: &b {a: 1, b: 2}\nv:\n  <<: *b\n  b: 3').v).toEqual({ a: 1, b: 3 });
  });

  test('a duplicate key keeps the last value, with a warning naming it (yaml.go YAMLToJSON is non-strict)', () => {
    const r = decodeYaml('a: 1\nb: 2\na: 3\n');
    expect(r.ok && JSON.parse(JSON.stringify(r.value))).toEqual({ a: 3, b: 2 });
    expect(r.ok && r.warnings).toEqual([expect.objectContaining({ line: 2, message: expect.stringMatching(/duplicate key "a": kubectl keeps only the last value/) })]);
  });

  test('.inf and .nan are refused: encoding/json cannot marshal them', () => {
    expect(decodeYaml('v: .inf')).toMatchObject({ ok: false, message: expect.stringMatching(/cannot be represented in JSON/) });
    expect(decodeYaml('v: .NaN')).toMatchObject({ ok: false });
  });

  test('an unquoted date in a ConfigMap is the string kubectl sends, so it validates', () => {
    expect(findings('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\ndata:\n  since: 2024-01-01\n')).toEqual([]);
  });

  test('an unquoted date in a custom resource string field passes schema and CEL', () => {
    const route = (date: string) => `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r\n  namespace: default\n` +
      `  annotations:\n    since: ${date}\nspec:\n  hostnames: [a.example.com]\n`;
    expect(findings(route('2024-01-01'))).toEqual([]);
  });

  test('a duplicate key is a warning, and fails only under --strict', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'semantics-'));
    fs.writeFileSync(path.join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\ndata: {a: "1"}\ndata: {b: "2"}\n');
    const result = validator.validatePaths([dir]);
    expect(result.ok).toBe(true);
    expect(result.findings).toEqual([expect.objectContaining({ severity: 'warning', rule: 'yaml-duplicate-key', line: 5 })]);
    expect(validator.validatePaths([dir], true).ok).toBe(false);
  });
});

// Observed with kubectl v1.32.4 (`kubectl label --local -f FILE x=y -o json`, which parses and prints without a
// cluster) on a ConfigMap holding each case: "refused" is its "error converting YAML to JSON", "accepted" a JSON
// object printed.
describe('kubectl 1.32\'s verdict on YAML edge cases (observed offline with kubectl label --local)', () => {
  const refused = (text: string) => {
    const r = decodeYaml(text);
    return r.ok ? 'accepted' : r.message;
  };
  const k = (n: number, c = 'k') => c.repeat(n);

  test.each([
    // goyaml.v2/scannerc.go yaml_parser_stale_simple_keys: the ':' at most 1,024 characters after the key's start.
    ['a plain key of 1,024 characters', `data:\n  ${k(1024)}: v\n`, 'accepted'],
    ['a plain key of 1,025 characters ("mapping values are not allowed in this context")', `data:\n  ${k(1025)}: v\n`, /key longer than 1,024 characters/],
    ['a key of 1,024 two-byte characters (characters count, not bytes)', `data:\n  ${k(1024, 'é')}: v\n`, 'accepted'],
    ['a key of 1,025 two-byte characters', `data:\n  ${k(1025, 'é')}: v\n`, /key longer than 1,024/],
    ['a quoted key of 1,024 characters with its quotes', `data:\n  "${k(1022)}": v\n`, 'accepted'],
    ['a quoted key of 1,025 characters with its quotes', `data:\n  "${k(1023)}": v\n`, /key longer than 1,024/],
    ['a flow key of 1,024 characters', `data: {${k(1024)}: v}\n`, 'accepted'],
    ['a flow key of 1,025 characters ("did not find expected \',\' or \'}\'")', `data: {${k(1025)}: v}\n`, /key longer than 1,024/],
    // scannerc.go: "found invalid Unicode character escape code" for any escape in D800-DFFF.
    ['a lone high surrogate escape', 'data:\n  a: "\\ud800"\n', /^found invalid Unicode character escape code/],
    ['a lone low surrogate escape', 'data:\n  a: "\\udc00"\n', /^found invalid Unicode character escape code/],
    ['a valid surrogate pair of escapes', 'data:\n  a: "\\ud83d\\ude00"\n', /^found invalid Unicode/],
    ['a \\U escape of an astral character', 'data:\n  a: "\\U0001F600"\n', 'accepted'],
    ['an escaped backslash before u d800 (literal text)', 'data:\n  a: "\\\\ud800"\n', 'accepted'],
    ['the same text single-quoted (no escapes there)', "data:\n  a: '\\ud800'\n", 'accepted'],
    // sigs.k8s.io/yaml convertToJSONableObject: "unsupported map key of type <nil>", "invalid map key".
    ['a null key ~', 'data:\n  ~: v\n', /^a null key/],
    ['a null key null', 'data:\n  null: v\n', /^a null key/],
    ['an empty explicit key', 'data:\n  ? \n  : v\n', /^a null key/],
    ['a null key deep in the object', 'data: {a: b}\nx: {y: {~: 1}}\n', /^a null key/],
    ['a quoted "null" key', 'data:\n  "null": v\n', 'accepted'],
    ['a sequence as a key', 'data:\n  ? [a, b]\n  : v\n', /^a mapping or sequence used as a key/],
    ['a mapping as a key', 'data:\n  ? {a: b}\n  : v\n', /^a mapping or sequence used as a key/],
    ['a flow sequence as a flow key', 'data: {[a]: b}\n', /^a mapping or sequence used as a key/],
    ['integer, boolean and float keys (they become strings)', 'data:\n  1: v\n  yes: v\n  1.5: v\n', 'accepted'],
  ])('%s', (_, body, verdict) => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\n${body}`;
    if (verdict === 'accepted') expect(refused(text)).toBe('accepted');
    else expect(refused(text)).toMatch(verdict);
  });

  test('nesting: 3,000 levels are accepted as by kubectl (decoded with a larger stack), over 10,000 refused as by go-yaml, and in between beyond 4,000 refused as too deep to validate', () => {
    const nested = (d: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\nx: ${'['.repeat(d)}${']'.repeat(d)}\n`;
    const deep = decodeYaml(nested(3000));
    let depth = 0;
    for (let v: any = deep.ok && (deep.value as any).x; Array.isArray(v); v = v[0]) depth++;
    expect(depth).toBe(3000);
    expect(decodeYaml(nested(10_001))).toMatchObject({ ok: false, message: expect.stringMatching(/exceeded maxDepth \(10000\)/) });
    expect(decodeYaml(nested(5000))).toMatchObject({ ok: false, message: 'document is nested too deeply to validate: 5001 levels, where this validator stops at 4000 (kubectl accepts up to 10,000)' });
  });

  test('the refusal names the line of the offending key', () => {
    expect(findings(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\ndata:\n  ok: v\n  ~: v\n`))
      .toEqual([expect.stringMatching(/^input\.yaml:6: YAML does not parse: a null key/)]);
  });

  test('UTF-16 with a byte-order mark is read, LE and BE, as go-yaml reads it; without one it is refused', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'semantics-'));
    const text = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: default}\ndata: {a: "é😀"}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ns-${name}}\n`;
    fs.writeFileSync(path.join(dir, 'le.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text('le'), 'utf16le')]));
    fs.writeFileSync(path.join(dir, 'be.yaml'), Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text('be'), 'utf16le').swap16()]));
    fs.writeFileSync(path.join(dir, 'utf8-bom.yaml'), `\ufeff${text('utf8')}`);
    const ok = validator.validatePaths([dir]);
    expect([ok.ok, ok.objects, ok.findings.map(formatFinding)]).toEqual([true, 6, []]);
    fs.writeFileSync(path.join(dir, 'no-bom.yaml'), Buffer.from(text('none'), 'utf16le'));
    expect(validator.validatePaths([path.join(dir, 'no-bom.yaml')]).findings.map(f => f.message)).toEqual([expect.stringMatching(/^YAML does not parse/)]);
  });
});

describe('CRD validation order: prune, default, validate (apiextensions-apiserver customresource_handler.go)', () => {
  const schema: StructuralSchema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          mode: { type: 'string', enum: ['A', 'B'], default: 'A' },
          note: { type: 'string' },
          size: { type: 'integer', minimum: 1 },
          choice: { type: 'string', nullable: true, enum: ['x'] },
          port: { 'x-kubernetes-int-or-string': true },
          open: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'integer' } } },
          template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } },
          exclusive: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, oneOf: [{ required: ['a'] }, { required: ['b'] }] },
        },
        'x-kubernetes-validations': [{ rule: "self.mode == 'A' || self.mode == 'B'", message: 'mode set' }],
      },
    },
  };
  const check = (spec: unknown) => validateAgainstSchema({ apiVersion: 'g/v1', kind: 'K', metadata: { name: 'k' }, spec } as any, schema, cel)
    .map(i => `${i.path.join('.')}: ${i.message}`);

  test('a null for a non-nullable field without default is a type error: a request body is not pruned of nulls (kube-apiserver 1.34, test/differential)', () => {
    expect(check({ note: null })).toEqual([
      'spec.note: Invalid value: "null": must not be null',
      ': some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    ]);
  });

  test('a null for a non-nullable field with a default gets the default (defaulting/algorithm.go)', () => {
    const object: any = { apiVersion: 'g/v1', kind: 'K', metadata: { name: 'k' }, spec: { mode: null } };
    expect(validateAgainstSchema(object, schema, cel)).toEqual([]);
    expect(object.spec.mode).toBe('A');
  });

  test('a nullable null still meets enum: null must be listed (kube-openapi schema.go: nil runs type and enum)', () => {
    expect(check({ choice: null })).toEqual(['spec.choice: Unsupported value: null: supported values: "x"']);
  });

  test('unknown fields are pruned and reported, except under preserve-unknown-fields', () => {
    expect(check({ extra: 1, open: { anything: { deep: true }, known: 'x' } })).toEqual([
      'spec.extra: unknown field "spec.extra"',
      'spec.open.known: Invalid value: "x": must be an integer',
      ': some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    ]);
  });

  test('int-or-string takes an integer or a string, nothing else (validation.go ConvertJSONSchemaProps)', () => {
    expect(check({ port: 80 })).toEqual([]);
    expect(check({ port: 'http' })).toEqual([]);
    expect(check({ port: 1.5 })[0]).toBe('spec.port: Invalid value: 1.5: must be an integer or a string');
  });

  test('an embedded resource keeps apiVersion/kind/metadata and needs apiVersion and kind (objectmeta/validation.go)', () => {
    expect(check({ template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} } })).toEqual([]);
    expect(check({ template: { metadata: { labels: { 'bad key!': 'x' } } } })).toEqual([
      'spec.template.apiVersion: Required value',
      'spec.template.kind: Required value',
      expect.stringMatching(/^spec\.template\.metadata\.labels: Invalid value: "bad key!": a qualified name/),
    ]);
  });

  test('oneOf branches constrain without declaring fields', () => {
    expect(check({ exclusive: { a: 'x' } })).toEqual([]);
    expect(check({ exclusive: { a: 'x', b: 'y' } })).toEqual(['spec.exclusive: Invalid value: must match exactly one of the schemas in oneOf']);
  });

  test('defaults are applied before CEL sees the object', () => {
    expect(check({})).toEqual([]);
  });
});

describe('Gateway addresses: junctors run no unknown-field check, formats are checked (Gateway API v1.6.1 CRD)', () => {
  const gateway = (addresses: string) => `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g, namespace: default}\n` +
    `spec:\n  gatewayClassName: agentgateway\n  listeners: [{name: http, port: 80, protocol: HTTP}]\n  addresses: ${addresses}\n`;

  test.each([
    '[{type: Hostname, value: gw.example.com}]',
    '[{type: example.com/custom, value: anything}]',
    '[{type: IPAddress, value: 10.0.0.1}]',
    '[{value: "2001:db8::1"}]', // type defaults to IPAddress
  ])('accepts %s', addresses => {
    expect(findings(gateway(addresses))).toEqual([]);
  });

  test.each(['256.255.255.255', '1.1.1', 'foo.com'])('rejects IPAddress %s', ip => {
    expect(findings(gateway(`[{type: IPAddress, value: "${ip}"}]`))).toContainEqual(
      expect.stringMatching(/Gateway default\/g: \.spec\.addresses\[0\]: Invalid value: must match exactly one of the schemas in oneOf/));
  });
});

describe('formats: the list kube-openapi registers, each as strict as strfmt (kube-openapi pkg/validation/strfmt/default_test.go)', () => {
  const valid = (format: string, s: string) => formatCheck(format, 'string')!(s);
  // Samples from default_test.go TestFormat* tables.
  test.each<[string, string[], string[]]>([
    ['hostname', ['somewhere.com', '888.com', 'a.b.c.d.e.com', 'xn--bcher-kva.example.com', '☁→❄→☃→☀→☺→☂→☹→✝.ws', 'www.example.ôlà', 'ex$ample', 'localhost', 'x', 'x-y', 'ex=ample.com', '<foo>', 'www.詹姆斯.london'],
      ['somewhere.com!', 'user@email.domain', '1.1.1.1', 'a'.repeat(256), `x.y.${'a'.repeat(64)}`, 'www.example-.org', 'www.--example.org', '-www.example.org', 'www-', '_www.example.org', 'www.ex ample.org', 'www.詹姆斯.x', 'a.b.c.d', 'x.', 'a.b.c.dot-']],
    ['email', ['blah@gmail.com', 'test@d.verylongtoplevel', 'email+tag@gmail.com', '" "@example.com', '"Fred Bloggs"@example.com', 'customer/department=shipping@example.com', "!#$%&'*+-/=?^_`{}|~@example.com", 'postmaster@☁→❄→☃→☀→☺→☂→☹→✝.ws', 'root@localhost', 'john@com'],
      ['somebody@somewhere@com']],
    ['ipv4', ['127.0.0.1', '192.168.1.1', '192.168.1.01'], ['198.168.254.2.2', '256.255.255.255', '1.1.1', 'foo.com']],
    ['ipv6', ['::1', '2001:db8::1', '::ffff:1.2.3.4'], ['127.0.0.1', 'foo.com', 'fe80::1%eth0', '1:2:3:4:5:6:7:8:9']],
    ['cidr', ['192.0.2.1/24', '192.0.02.1/24', '2001:db8:a0b:12f0::1/32'], ['198.168.254.2', '2001:db8:a0b:12f0::1', '10.0.0.0/33']],
    ['mac', ['01:02:03:04:05:06', '01-02-03-04-05-06', '0102.0304.0506'], ['01:02:03:04:05']],
    ['uuid', ['a8098c1a-f86e-11da-bd1a-00112444be1e', 'A8098C1AF86E11DABD1A00112444BE1E'], ['not-a-uuid']],
    ['uuid3', ['bcd02ab7-6beb-3467-84c0-3dcbb4c8a6e5'], ['not-a-uuid', 'a8098c1a-f86e-11da-bd1a-00112444be1e']],
    ['uuid4', ['f47ac10b-58cc-4372-a567-0e02b2c3d479'], ['not-a-uuid']],
    ['uuid5', ['886313e1-3b8a-5372-9b90-0c9aee199e5d'], ['not-a-uuid']],
    ['isbn', ['0321751043'], ['836217463']],
    ['isbn10', ['0321751043'], ['836217463']],
    ['isbn13', ['978-0321751041'], ['978-0321751042']],
    ['hexcolor', ['#FFFFFF', '#000', 'fff'], ['#fffffffz']],
    ['rgbcolor', ['rgb(255,255,255)', 'rgb( 0 , 0 , 0 )'], ['rgb(300,0,0)']],
    ['ssn', ['111-11-1111', '999 99 9999'], ['999 99 999']],
    ['creditcard', ['4111-1111-1111-1111', '4012-8888-8888-1881'], ['9999-9999-9999-999']],
    ['password', ['super secret!!!', ''], []],
    ['byte', ['VGhpcyBpcyBhIGJ5dGUgYXJyYXk=', 'YWJj'], ['ZWxpemFiZXRocG9zZXk', '', 'not base64!']],
    ['date', ['2024-01-31', '2024-02-29'], ['2023-02-29', '2024-1-01', '2024-13-01', '2024-01-01T00:00:00Z']],
    ['date-time', ['2024-01-01T10:00:00Z', '2024-01-01t10:00:00.123+02:00'], ['2024-01-01 10:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01']],
    ['duration', ['1h30m', '-1.5h', '300ms', '0', '3 days', '1 week'], ['1x', 'forever', '']],
    ['bsonobjectid', ['507f1f77bcf86cd799439011'], ['507f1f77bcf86cd79943901']],
  ])('%s', (format, good, bad) => {
    for (const s of good) expect([s, valid(format, s)]).toEqual([s, true]);
    for (const s of bad) expect([s, valid(format, s)]).toEqual([s, false]);
  });

  test('unknown formats, later formats and formats on non-string types check nothing (apiextensions formats.go)', () => {
    expect(formatCheck('no-such-format', 'string')).toBeUndefined();
    expect(formatCheck('k8s-short-name', 'string')).toBeUndefined(); // introduced in 1.34; we validate as 1.33
    expect(formatCheck('ipv4', 'integer')).toBeUndefined();
    expect(formatCheck('date-time', undefined)).toBeDefined(); // no type: still a string format
  });
});

describe('built-in kinds: the server\'s checks, not stricter OpenAPI required lists', () => {
  const builtins = new BuiltinSchemas();

  test('an EndpointSlice without endpoints is accepted (discovery validation ranges over them)', () => {
    expect(builtins.validate({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'e' }, addressType: 'IPv4' })).toEqual([]);
  });

  test('a NetworkPolicy without podSelector is accepted (an empty selector selects every pod)', () => {
    expect(builtins.validate({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n' }, spec: {} })).toEqual([]);
  });

  test('a field the server does require stays required: Ingress pathType', () => {
    expect(builtins.validate({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i' },
      spec: { rules: [{ http: { paths: [{ backend: { service: { name: 's', port: { number: 80 } } } }] } }] } }))
      .toEqual([{ path: '.spec.rules[0].http.paths[0].pathType', message: 'Required value: must have property "pathType"' }]);
  });

  test('a namespaced object without metadata.namespace is in "default"', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'semantics-'));
    fs.writeFileSync(path.join(dir, 'svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}], bogus: 1}\n');
    expect(validator.validatePaths([dir]).findings.map(f => formatFinding({ ...f, file: 'svc.yaml' })))
      .toEqual(['svc.yaml:1: Service default/s: .spec.bogus: unknown field "spec.bogus"']);
  });
});

describe('patterns are Go regular expressions (RE2)', () => {
  test('a pattern that backtracks catastrophically in JS answers quickly', () => {
    const schema: StructuralSchema = { type: 'object', properties: { v: { type: 'string', pattern: '^(a+)+$' } } };
    const started = Date.now();
    const issues = validateAgainstSchema({ apiVersion: 'g/v1', kind: 'K', metadata: { name: 'k' }, v: `${'a'.repeat(40)}!` } as any, schema, cel);
    expect(issues.map(i => i.message)).toEqual([expect.stringMatching(/should match/)]);
    expect(Date.now() - started).toBeLessThan(10_000); // backtracking, 2^40 steps: hours
  });
});

// Cases written after agentgateway@v1.4.1:controller/api/tests/testdata/*_{valid,invalid}.yaml, which its
// cel_test.go runs through the API server's CRD validator (sigs.k8s.io/yaml decoding, strict unknown fields). Run
// over all 212 documents of those tables, this validator gives the same verdict on every one.
describe('agentgateway v1.4.1 CRD test tables', () => {
  const policy = (spec: string) => `apiVersion: agentgateway.dev/v1alpha1\nkind: AgentgatewayPolicy\nmetadata: {name: p, namespace: default}\n` +
    `spec:\n  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: dummy}]\n${spec}`;
  const backend = (spec: string) => `apiVersion: agentgateway.dev/v1alpha1\nkind: AgentgatewayBackend\nmetadata: {name: b, namespace: default}\nspec:\n${spec}`;
  const schemaErrors = (text: string) => findings(text).filter(f => !/not found|does not accept/.test(f));

  test.each([
    ['an unquoted date is the string CEL compares (azure apiVersion without deploymentName)',
      backend('  ai:\n    provider:\n      azureopenai:\n        apiVersion: 2024-01-01\n        endpoint: test\n'), /deploymentName is required for this apiVersion/],
    ['an unknown field deep in a provider', backend('  ai:\n    provider:\n      openai: {}\n      extra: 1\n'), /unknown field "spec\.ai\.provider\.extra"/],
    ['a pseudo-header name fails the RE2 pattern (with \\x60 in it)',
      policy('  traffic:\n    directResponse:\n      status: 403\n      headers:\n        - name: :status\n          value: "418"\n'), /directResponse\.headers\[0\]\.name: Invalid value: ":status": should match/],
    ['a duration CEL cannot parse', policy('  frontend:\n    http:\n      http1IdleTimeout: 10minutes\n'), /http1IdleTimeout/],
    ['an int-or-string quantity over uint32', policy('  frontend:\n    http:\n      maxBufferSize: 4294967296\n'), /maxBufferSize/],
    ['a rate limit unit outside the enum', policy('  traffic:\n    rateLimit:\n      local: [{requests: 1, unit: Days}]\n'), /unit: Unsupported value: "Days"/],
  ])('rejects %s', (_, text, expected) => {
    expect(schemaErrors(text)).toContainEqual(expect.stringMatching(expected));
  });

  test.each([
    ['an azure provider', backend('  ai:\n    provider:\n      azureopenai:\n        endpoint: test\n')],
    ['HTTP settings as quantities and durations', policy('  frontend:\n    http:\n      maxBufferSize: 5Mi\n      http1MaxHeaders: 150\n      http1IdleTimeout: 5m\n')],
    ['a byte count as an integer', policy('  frontend:\n    http:\n      maxBufferSize: 2097152\n')],
  ])('accepts %s', (_, text) => {
    expect(schemaErrors(text)).toEqual([]);
  });
});
