import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { loadAll } from 'js-yaml';
import { CelRules, escapeFieldName, type RuleOutcome } from '../lib/validate/cel';
import type { StructuralSchema, ValidationRule } from '../lib/validate/structural-schema';

// ---------------------------------------------------------------------------------------------------------------
// The pinned CRDs, read from the upstream mirror (never copied into the repo).
// ---------------------------------------------------------------------------------------------------------------

const MIRROR = path.join(process.env.UPSTREAM_MIRROR as string, 'raw.githubusercontent.com');
const GATEWAY_API = path.join(MIRROR, 'kubernetes-sigs/gateway-api/v1.6.1/config/crd');
const AGENTGATEWAY = path.join(MIRROR, 'agentgateway/agentgateway/v1.4.1/controller/install/helm/agentgateway-crds/templates');
const KSERVE_ISVC = path.join(MIRROR, 'kserve/kserve/v0.20.0/config/crd/full/serving.kserve.io_inferenceservices.yaml');

const yamlFilesIn = (dir: string) => readdirSync(dir).filter(f => f.endsWith('.yaml')).map(f => path.join(dir, f));
const CRD_FILES = [
  ...yamlFilesIn(path.join(GATEWAY_API, 'standard')),
  ...yamlFilesIn(path.join(GATEWAY_API, 'experimental')),
  ...yamlFilesIn(AGENTGATEWAY),
  KSERVE_ISVC,
];

interface Crd {
  kind: string;
  spec: { names: { kind: string }; versions: { name: string; schema?: { openAPIV3Schema: StructuralSchema } }[] };
}

const documentsCache = new Map<string, Crd[]>();
function crdsIn(file: string): Crd[] {
  let crds = documentsCache.get(file);
  if (!crds) {
    crds = (loadAll(readFileSync(file, 'utf8')) as Crd[]).filter(d => d?.kind === 'CustomResourceDefinition');
    documentsCache.set(file, crds);
  }
  return crds;
}

/** Every schema node below `schema`, in every keyword that holds schemas. */
function* schemaNodes(schema: StructuralSchema | undefined): Generator<StructuralSchema> {
  if (!schema) return;
  yield schema;
  for (const child of Object.values(schema.properties ?? {})) yield* schemaNodes(child);
  if (typeof schema.additionalProperties === 'object') yield* schemaNodes(schema.additionalProperties);
  yield* schemaNodes(schema.items);
  for (const child of [...(schema.allOf ?? []), ...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) yield* schemaNodes(child);
  yield* schemaNodes(schema.not);
}

/** Every rule and messageExpression of every version of every CRD in the pinned files. */
function pinnedExpressions(): string[] {
  const expressionsOf = (rule: ValidationRule) => [rule.rule, ...(rule.messageExpression ? [rule.messageExpression] : [])];
  const nodes = CRD_FILES.flatMap(file => crdsIn(file).flatMap(crd => crd.spec.versions.flatMap(v => [...schemaNodes(v.schema?.openAPIV3Schema)])));
  return nodes.flatMap(node => (node['x-kubernetes-validations'] ?? []).flatMap(expressionsOf));
}

/** The schema node at `at` (property names; `[]` steps into array items) of a CRD version. */
function schemaAt(file: string, version: string, at: string[]): StructuralSchema {
  const crd = crdsIn(file)[0];
  let node = crd.spec.versions.find(v => v.name === version)?.schema?.openAPIV3Schema as StructuralSchema;
  for (const step of at) node = (step === '[]' ? node.items : node.properties?.[step]) as StructuralSchema;
  if (!node) throw new Error(`no schema at ${at.join('.')} in ${file}`);
  return node;
}

function ruleWithMessage(schema: StructuralSchema, message: string): ValidationRule {
  const rule = schema['x-kubernetes-validations']?.find(r => r.message === message);
  if (!rule) throw new Error(`no rule with message ${JSON.stringify(message)}`);
  return rule;
}

// ---------------------------------------------------------------------------------------------------------------

const cel = new CelRules();
const objectOf = (properties: Record<string, StructuralSchema>): StructuralSchema => ({ type: 'object', properties });
const evaluate = (rule: string | ValidationRule, self: unknown, schema: StructuralSchema = {}): RuleOutcome =>
  cel.evaluate(typeof rule === 'string' ? { rule } : rule, self, schema);
const messageOf = (outcome: RuleOutcome) => (outcome as { message?: string }).message;
const PASS: RuleOutcome = { status: 'pass' };

describe('CEL rules of the pinned CRDs', () => {
  const expressions = pinnedExpressions();

  it(`compiles all ${expressions.length} rules and messageExpressions of the Gateway API, agentgateway and KServe CRDs`, () => {
    const failures = expressions.map(e => [e, cel.check(e)]).filter(([, problem]) => problem !== undefined);

    expect(expressions.length).toBeGreaterThan(1500);
    expect(failures).toEqual([]);
    // How fast is npm run bench's business, not a test's: a timed test fails on a loaded machine.
  });

  describe('Gateway listeners (gateway.networking.k8s.io/v1 Gateway .spec.listeners)', () => {
    const file = path.join(GATEWAY_API, 'standard/gateway.networking.k8s.io_gateways.yaml');
    const listeners = schemaAt(file, 'v1', ['spec', 'listeners']);
    const http = { name: 'http', port: 80, protocol: 'HTTP', hostname: 'a.example.com' };

    it('rejects a hostname on a TCP listener', () => {
      const rule = ruleWithMessage(listeners, "hostname must not be specified for protocols ['TCP', 'UDP']");

      expect(evaluate(rule, [http, { name: 'tcp', port: 9000, protocol: 'TCP' }], listeners)).toEqual(PASS);
      const tcpWithHostname = { name: 'tcp', port: 9000, protocol: 'TCP', hostname: 'b.example.com' };
      expect(evaluate(rule, [http, tcpWithHostname], listeners)).toEqual({ status: 'fail', message: rule.message });
    });

    it('rejects two listeners with the same name (all/exists_one)', () => {
      const rule = ruleWithMessage(listeners, 'Listener name must be unique within the Gateway');

      expect(evaluate(rule, [http, { ...http, name: 'other', port: 8080 }], listeners)).toEqual(PASS);
      expect(evaluate(rule, [http, { ...http, port: 8080 }], listeners)).toEqual({ status: 'fail', message: rule.message });
    });

    it('rejects a repeated port/protocol/hostname combination, telling absent hostnames apart', () => {
      const rule = ruleWithMessage(listeners, 'Combination of port, protocol and hostname must be unique for each listener');
      const { hostname: _, ...noHostname } = http;

      expect(evaluate(rule, [http, { ...noHostname, name: 'catch-all' }], listeners)).toEqual(PASS);
      expect(evaluate(rule, [noHostname, { ...noHostname, name: 'again' }], listeners).status).toBe('fail');
    });

    it('requires tls.mode on a TLS listener', () => {
      const rule = ruleWithMessage(listeners, 'tls mode must be set for protocol TLS');
      const tls = { name: 'tls', port: 443, protocol: 'TLS' };

      expect(evaluate(rule, [{ ...tls, tls: { mode: 'Passthrough' } }], listeners)).toEqual(PASS);
      expect(evaluate(rule, [tls], listeners).status).toBe('fail');
    });
  });

  describe('HTTPRoute path matches (gateway.networking.k8s.io/v1 HTTPRoute .spec.rules[].matches[].path)', () => {
    const file = path.join(GATEWAY_API, 'standard/gateway.networking.k8s.io_httproutes.yaml');
    const pathMatch = schemaAt(file, 'v1', ['spec', 'rules', '[]', 'matches', '[]', 'path']);
    const rules = pathMatch['x-kubernetes-validations'] ?? [];
    const failures = (value: unknown) => rules.map(r => evaluate(r, value, pathMatch)).filter(o => o.status !== 'pass');

    it(`accepts a clean PathPrefix under all ${rules.length} path rules`, () => {
      expect(rules.length).toBeGreaterThan(5);
      expect(failures({ type: 'PathPrefix', value: '/api/v1' })).toEqual([]);
    });

    it("rejects '//' and characters outside the RE2 character class in an Exact path", () => {
      expect(failures({ type: 'Exact', value: '/a//b' }).map(messageOf)).toEqual(["must not contain '//' when type one of ['Exact', 'PathPrefix']"]);
      expect(failures({ type: 'Exact', value: '/a b' }).map(messageOf)).toEqual([expect.stringContaining('must only contain valid characters')]);
    });

    it('does not apply the path rules to RegularExpression matches', () => {
      expect(failures({ type: 'RegularExpression', value: '/a//b.*' })).toEqual([]);
    });
  });

  it('rejects IP addresses as TLSRoute hostnames (isIP)', () => {
    const file = path.join(GATEWAY_API, 'standard/gateway.networking.k8s.io_tlsroutes.yaml');
    const version = crdsIn(file)[0].spec.versions[0].name;
    const hostnames = schemaAt(file, version, ['spec', 'hostnames']);
    const rule = ruleWithMessage(hostnames, 'Hostnames cannot contain an IP');

    expect(evaluate(rule, ['tls.example.com'], hostnames)).toEqual(PASS);
    expect(evaluate(rule, ['tls.example.com', '10.0.0.1'], hostnames)).toEqual({ status: 'fail', message: 'Hostnames cannot contain an IP' });
    expect(evaluate(rule, ['2001:db8::1'], hostnames).status).toBe('fail');
  });
});

describe('CelRules.check', () => {
  it('accepts Kubernetes library calls, qualified ones included', () => {
    expect(cel.check("ip.isCanonical('::1') && sets.contains([1], [1]) && !format.dns1123Label().validate(self).hasValue()")).toBeUndefined();
  });

  it('reports syntax errors', () => {
    expect(cel.check('self.a ==')).toMatch(/syntax error/);
  });

  it('reports unknown functions, unknown overload shapes and undeclared identifiers', () => {
    expect(cel.check('self.frobnicate()')).toBe("undeclared reference to 'frobnicate'");
    expect(cel.check("'a'.lowerAscii(1)")).toBe("found no matching overload for 'lowerAscii' with 1 argument(s) on a receiver");
    expect(cel.check('lowerAscii(self)')).toBe("found no matching overload for 'lowerAscii' with 1 argument(s)");
    expect(cel.check('slef.a == 1')).toBe("undeclared reference to 'slef'");
  });

  it('knows comprehension variables only inside their comprehension', () => {
    expect(cel.check('self.all(x, x > 0)')).toBeUndefined();
    expect(cel.check('self.all(x, x > 0) && x > 0')).toBe("undeclared reference to 'x'");
  });
});

describe('CelRules.evaluate', () => {
  describe('outcomes and messages', () => {
    const schema = objectOf({ replicas: { type: 'integer' } });

    it('passes when the rule holds and fails when it does not', () => {
      expect(evaluate('self.replicas <= 10', { replicas: 3 }, schema)).toEqual(PASS);
      expect(evaluate('self.replicas <= 10', { replicas: 30 }, schema).status).toBe('fail');
    });

    it('reports "failed rule: <rule>" when the rule has no message, as the API server does', () => {
      expect(evaluate('self.replicas <= 10', { replicas: 30 }, schema)).toEqual({ status: 'fail', message: 'failed rule: self.replicas <= 10' });
    });

    it('reports the message when there is one', () => {
      const rule = { rule: 'self.replicas <= 10', message: 'at most 10 replicas' };

      expect(evaluate(rule, { replicas: 30 }, schema)).toEqual({ status: 'fail', message: 'at most 10 replicas' });
    });

    it('prefers a messageExpression over the message', () => {
      const rule = { rule: 'self.replicas <= 10', message: 'at most 10 replicas', messageExpression: "'got ' + string(self.replicas) + ' replicas'" };

      expect(evaluate(rule, { replicas: 30 }, schema)).toEqual({ status: 'fail', message: 'got 30 replicas' });
    });

    it('falls back to the message when the messageExpression errors or is blank', () => {
      const rule = { rule: 'self.replicas <= 10', message: 'at most 10 replicas' };

      expect(messageOf(evaluate({ ...rule, messageExpression: 'self.missing' }, { replicas: 30 }, schema))).toBe('at most 10 replicas');
      expect(messageOf(evaluate({ ...rule, messageExpression: "' '" }, { replicas: 30 }, schema))).toBe('at most 10 replicas');
    });

    it('reports a runtime error (no such key) as an error naming the rule', () => {
      const outcome = evaluate('self.missing == 1', { replicas: 1 }, schema);

      expect(outcome.status).toBe('error');
      expect(messageOf(outcome)).toMatch(/missing.*evaluating rule: self\.missing == 1/);
    });

    it('reports a rule that does not compile as an error', () => {
      const outcome = evaluate('self.frobnicate()', {}, schema);

      expect(outcome).toEqual({ status: 'error', message: "rule does not compile: undeclared reference to 'frobnicate': self.frobnicate()" });
    });

    it('skips transition rules, which need the previous object', () => {
      const outcome = evaluate('self == oldSelf', 'a', { type: 'string' });

      expect(outcome).toEqual({ status: 'skipped', reason: 'transition rule (oldSelf) needs the previous object' });
    });

    it('runs optionalOldSelf transition rules on create, with oldSelf absent', () => {
      expect(evaluate({ rule: '!oldSelf.hasValue() || self == 1', optionalOldSelf: true }, 5, { type: 'integer' })).toEqual(PASS);
    });

    it('does not mistake a comprehension variable or a string for oldSelf', () => {
      expect(evaluate("self.all(oldSelf, oldSelf != 'oldSelf')", ['a'], { type: 'array', items: { type: 'string' } })).toEqual(PASS);
    });
  });

  describe('values typed by the schema', () => {
    it('tests field presence with has(), absent fields staying absent', () => {
      const schema = objectOf({ tls: objectOf({ mode: { type: 'string' } }) });

      expect(evaluate('has(self.tls)', { tls: {} }, schema)).toEqual(PASS);
      expect(evaluate('!has(self.tls)', {}, schema)).toEqual(PASS);
      expect(evaluate('!has(self.tls.mode)', { tls: {} }, schema)).toEqual(PASS);
    });

    it('compares integer fields as int', () => {
      const schema = objectOf({ port: { type: 'integer' } });

      expect(evaluate('self.port > 0 && type(self.port) == int', { port: 80 }, schema)).toEqual(PASS);
    });

    it('makes number fields doubles, even when whole', () => {
      expect(evaluate('type(self) == double && self == 1.0', 1, { type: 'number' })).toEqual(PASS);
    });

    it('makes int-or-string values ints or strings', () => {
      const schema: StructuralSchema = { 'x-kubernetes-int-or-string': true };

      expect(evaluate('type(self) == int && self == 8080', 8080, schema)).toEqual(PASS);
      expect(evaluate("type(self) == string && self.endsWith('%')", '25%', schema)).toEqual(PASS);
    });

    it('converts preserve-unknown-fields values dynamically (whole numbers as int)', () => {
      const schema: StructuralSchema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

      const value = { a: 1, b: { c: 'x' }, d: 0.5 };

      expect(evaluate("self.a == 1 && type(self.a) == int && self.b.c == 'x' && type(self.d) == double", value, schema)).toEqual(PASS);
    });

    it('keys maps (additionalProperties) by the raw key and typed by the value schema', () => {
      const schema: StructuralSchema = { type: 'object', additionalProperties: { type: 'integer' } };

      expect(evaluate("self['app.kubernetes.io/name'] == 1", { 'app.kubernetes.io/name': 1 }, schema)).toEqual(PASS);
    });

    it('escapes property names that are CEL keywords or hold dashes', () => {
      const schema = objectOf({ namespace: { type: 'string' }, 'max-tokens': { type: 'integer' } });

      expect(escapeFieldName('x.y/z__w')).toBe('x__dot__y__slash__z__underscores__w');
      expect(evaluate("self.__namespace__ == 'ns' && self.max__dash__tokens == 5", { namespace: 'ns', 'max-tokens': 5 }, schema)).toEqual(PASS);
    });

    it('makes duration-formatted strings durations, as the API server does', () => {
      const schema = objectOf({ timeout: { type: 'string', format: 'duration' } });

      expect(evaluate("self.timeout > duration('1s')", { timeout: '1m' }, schema)).toEqual(PASS);
    });
  });

  describe('standard CEL', () => {
    const names: StructuralSchema = { type: 'array', items: { type: 'string' } };

    it('evaluates all and exists_one', () => {
      expect(evaluate('self.all(n, n.size() > 0)', ['a', 'b'], names)).toEqual(PASS);
      expect(evaluate("self.exists_one(n, n == 'a')", ['a', 'a'], names).status).toBe('fail');
    });

    it('matches with RE2 semantics: partial matches, inline flags, and no lookaround', () => {
      expect(evaluate("self.matches('^[a-z]+$') && self.matches('b') && self.matches('(?i)^ABC$')", 'abc', { type: 'string' })).toEqual(PASS);
      expect(evaluate("matches(self, '^a')", 'abc', { type: 'string' })).toEqual(PASS);
      expect(evaluate("self.matches('a(?=b)')", 'ab', { type: 'string' }).status).toBe('error');
    });

    it('parses and compares durations', () => {
      // getMilliseconds() is the milliseconds component, per the CEL conformance suite
      expect(evaluate("duration('1h30m') > duration('90s') && duration('1.5s').getMilliseconds() == 500", null)).toEqual(PASS);
    });
  });

  describe('Kubernetes libraries', () => {
    /** Each expression is evaluated on its own, so a failure names the one that did not hold. */
    const holds = (...expressions: string[]) => expect(expressions.map(e => [e, evaluate(e, null)])).toEqual(expressions.map(e => [e, PASS]));

    it('strings: split, lowerAscii, join, replace, substring, indexOf', () => {
      holds("'A,B'.split(',') == ['A', 'B']", "'AbC'.lowerAscii() == 'abc'", "['a', 'b'].join('-') == 'a-b'");
      holds("'a-b'.replace('-', '_') == 'a_b'", "'hello'.substring(1, 3) == 'el'", "'hello'.indexOf('l') == 2");
    });

    it('lists: isSorted, indexOf, lastIndexOf, sum, min, max', () => {
      holds('[1, 2, 2].isSorted()', '![2, 1].isSorted()', '["a", "b"].isSorted()');
      holds("['a', 'b', 'a'].indexOf('a') == 0", "['a', 'b', 'a'].lastIndexOf('a') == 2", '[1].indexOf(2) == -1');
      holds('[1, 2, 3].sum() == 6', '[1.5, 2.5].sum() == 4.0', '[].sum() == 0', '[3, 1, 2].min() == 1', '[3, 1, 2].max() == 3');
    });

    it('lists: min() of an empty list is an error', () => {
      expect(evaluate('[].min() == 0', null).status).toBe('error');
    });

    it('regex: find and findAll, with Go semantics for empty matches', () => {
      holds("'abc 123 def 456'.find('[0-9]+') == '123'", "'abc'.find('[0-9]+') == ''", "'ABC'.find('(?i)b') == 'B'");
      holds("'abc 123 def 456'.findAll('[0-9]+') == ['123', '456']", "'a1b2c3'.findAll('[0-9]', 2) == ['1', '2']");
      holds("'ab'.findAll('x*') == ['', '', '']", "'a:b'.findAll('[[:alpha:]]') == ['a', 'b']");
      holds("'a-b.c'.findAll('\\\\-|[\\\\.]') == ['-', '.']", "'a]b'.find('[]]') == ']'", "'x\\ny'.find('x.y') == ''");
    });

    it('regex: find with a pattern RE2 rejects is an error', () => {
      expect(evaluate("'ab'.find('a(?=b)') == 'a'", null).status).toBe('error');
    });

    it('url: isURL follows Go url.ParseRequestURI', () => {
      holds("isURL('https://example.com/a')", "isURL('/relative/path')", "!isURL('example.com')", "!isURL('https://exa mple.com')");
      holds("!isURL('https://example.com:port/')", "!isURL('http://[::1/')", "!isURL('')");
    });

    it('url: getScheme, getHost, getHostname, getPort, getEscapedPath, getQuery', () => {
      holds("url('HTTPS://example.com:8443/p').getScheme() == 'https'", "url('https://example.com:8443/p').getHost() == 'example.com:8443'");
      holds("url('https://example.com:8443/p').getHostname() == 'example.com'", "url('https://example.com/').getPort() == ''");
      holds("url('https://[::1]:80/').getHostname() == '::1'", "url('https://[::1]:80/').getPort() == '80'");
      holds("url('https://example.com/a b').getEscapedPath() == '/a%20b'", "url('https://example.com/a%2Fb').getEscapedPath() == '/a%2Fb'");
      holds("url('https://example.com/?x=1&x=2&y=a+b').getQuery() == {'x': ['1', '2'], 'y': ['a b']}");
    });

    it('url: url() of an invalid URL is an error', () => {
      expect(evaluate("url('example.com').getScheme() == ''", null).status).toBe('error');
    });

    it('quantity: parsing, comparison and arithmetic', () => {
      holds("quantity('1Gi').isGreaterThan(quantity('512Mi'))", "quantity('500m').isLessThan(quantity('1'))");
      holds("quantity('1k').compareTo(quantity('1000')) == 0", "quantity('1k') == quantity('1000')", "quantity('1Ki').add(quantity('24')).asInteger() == 1048");
      holds("quantity('1').sub(1).sign() == 0", "quantity('-1m').sign() == -1", "quantity('1.5').asApproximateFloat() == 1.5");
      holds("isQuantity('1.5Gi')", "isQuantity('1e3')", "!isQuantity('1.5GB')", "!isQuantity('')", "!quantity('100m').isInteger()");
      holds("quantity('0.1n') == quantity('1n')"); // below 1n rounds up, as resource.ParseQuantity does
    });

    it('quantity: asInteger of a fraction is an error', () => {
      expect(evaluate("quantity('1.5').asInteger() == 1", null).status).toBe('error');
    });

    it('ip: isIP rejects zones, IPv4-mapped IPv6 and leading zeros', () => {
      holds("isIP('10.0.0.1')", "isIP('2001:db8::1')", "isIP('::')", "!isIP('example.com')", "!isIP('01.2.3.4')");
      holds("!isIP('::ffff:1.2.3.4')", "!isIP('fe80::1%eth0')", "!isIP('1:2:3:4:5:6:7:8:9')", "!isIP('1::2::3')");
    });

    it('ip: family, address kinds and canonical form', () => {
      holds("ip('::1').family() == 6", "ip('::1').isLoopback()", "ip('10.0.0.1').isGlobalUnicast()", "ip('169.254.0.1').isLinkLocalUnicast()");
      holds("ip.isCanonical('2001:db8::1')", "!ip.isCanonical('2001:DB8::1')", "string(ip('2001:db8:0:0:1:0:0:1')) == '2001:db8::1:0:0:1'");
    });

    it('cidr: containsIP, containsCIDR, prefixLength, masked', () => {
      holds("isCIDR('10.0.0.0/8')", "!isCIDR('10.0.0.0/33')", "!isCIDR('10.0.0.0/08')", "cidr('10.0.0.0/8').containsIP('10.1.2.3')");
      holds("!cidr('10.0.0.0/8').containsIP(ip('11.0.0.1'))", "cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16')", "!cidr('10.0.0.0/16').containsCIDR('10.0.0.0/8')");
      holds("cidr('10.1.2.3/8').prefixLength() == 8", "string(cidr('10.1.2.3/8').masked()) == '10.0.0.0/8'");
    });

    it('sets: contains, equivalent, intersects', () => {
      holds('sets.contains([1, 2, 3], [3, 1])', 'sets.equivalent([1, 2], [2, 1, 1])', 'sets.intersects([1, 2], [2, 5])', '!sets.intersects([1], [2])');
    });

    it('format: validate returns errors as an optional list', () => {
      holds("!format.dns1123Label().validate('my-name').hasValue()", "format.dns1123Label().validate('My_Name').hasValue()");
      holds("format.dns1123Label().validate('a-').value()[0].startsWith('a lowercase RFC 1123 label')");
      holds("!format.dns1123LabelPrefix().validate('my-prefix-').hasValue()", "!format.qualifiedName().validate('example.com/My.Name').hasValue()");
    });

    it('format: comparing validate() to null is false even for a valid value, as cel-go does (optional.none() != null)', () => {
      // XBackend (experimental) uses this form; cel-go's Optional.Equal returns false for any non-optional.
      expect(evaluate('format.dns1123Label().validate(self) == null', 'valid-name', { type: 'string' }).status).toBe('fail');
    });
  });
});
