import { Chart, Testing } from 'cdk8s';
import { AllowedRoutes, IngressGateway } from '../lib';
import { chart, objectsOf, only } from './helpers';

describe('IngressGateway', () => {
  test('labels the proxy infrastructure after the gateway name', () => {
    const c = chart();
    new IngressGateway(c, 'Gateway', { name: 'edge' });
    expect(only(objectsOf(c), 'Gateway').spec.infrastructure).toEqual({ labels: { 'serving.kserve.io/gateway': 'edge' } });
  });

  test('writes the infrastructure labels it is given, and the proxy is known by them', () => {
    const c = chart();
    const labels = { 'serving.kserve.io/gateway': 'kserve-ingress-gateway', 'team': 'ml', 'example.com/tier': '' };
    const gateway = new IngressGateway(c, 'Gateway', { name: 'edge', infrastructureLabels: labels });
    expect(only(objectsOf(c), 'Gateway').spec.infrastructure).toEqual({ labels });
    expect(gateway.proxyLabels).toEqual(labels);
  });

  test('puts class, listener name, port and allowed routes in the spec', () => {
    const c = chart();
    new IngressGateway(c, 'Gateway', { gatewayClassName: 'other', listenerName: 'web', port: 8080, allowedRoutes: AllowedRoutes.fromNamespacesLabelled({ a: 'b' }) });
    const spec = only(objectsOf(c), 'Gateway').spec;
    expect(spec.gatewayClassName).toBe('other');
    expect(spec.listeners).toEqual([{ name: 'web', protocol: 'HTTP', port: 8080, allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { a: 'b' } } } } }]);
  });

  test('exposes the namespace/name form KServe\'s kserveIngressGateway setting takes', () => {
    expect(new IngressGateway(chart(), 'Gateway', { name: 'kserve-ingress-gateway', namespace: 'kserve' }).qualifiedName).toBe('kserve/kserve-ingress-gateway');
  });

  test('derives its name from the construct path and its namespace from the chart, with no demo values', () => {
    const c = new Chart(Testing.app(), 'platform', { namespace: 'edge' });
    const gateway = new IngressGateway(c, 'Gateway');
    expect(gateway.name).toMatch(/^platform-gateway-c8[0-9a-f]{6}$/);
    expect(gateway.namespace).toBe('edge');
    expect(new IngressGateway(chart(), 'Gateway').namespace).toBe('default');
  });

  test('imports a gateway it does not define by name, with GEP-1762\'s proxy label unless told otherwise', () => {
    const c = chart();
    const shared = IngressGateway.fromGatewayAttributes(c, 'Shared', { name: 'shared', namespace: 'infra' });
    expect([shared.qualifiedName, shared.sectionName, shared.proxyLabels]).toEqual(['infra/shared', undefined, { 'gateway.networking.k8s.io/gateway-name': 'shared' }]);
    expect(objectsOf(c)).toEqual([]);
    expect(() => IngressGateway.fromGatewayAttributes(chart(), 'Bad', { name: 'Shared GW', namespace: 'infra' })).toThrow(/name must be a DNS-1123 subdomain.*got "Shared GW"/);
  });

  test.each([
    ['all', AllowedRoutes.all(), 'kserve-test', {}, true],
    ['same namespace, other namespace', AllowedRoutes.sameNamespace(), 'kserve-test', {}, false],
    ['same namespace, own namespace', AllowedRoutes.sameNamespace(), 'kserve', {}, true],
    ['selector, matching labels', AllowedRoutes.fromNamespacesLabelled({ a: 'b' }), 'x', { a: 'b', c: 'd' }, true],
    ['selector, missing label', AllowedRoutes.fromNamespacesLabelled({ a: 'b' }), 'x', { c: 'd' }, false],
  ])('admits routes by rule: %s', (_, allowedRoutes, ns, labels, expected) => {
    expect(new IngressGateway(chart(), 'Gateway', { namespace: 'kserve', allowedRoutes }).admitsRoutesFrom(ns, labels)).toBe(expected);
  });

  test.each([
    ['port 0', { port: 0 }, /IngressGateway .*: port must be a whole number from 1 to 65535, got 0/],
    ['port 65536', { port: 65536 }, /port must be a whole number from 1 to 65535, got 65536/],
    ['name that is not DNS-1123', { name: 'Kserve_Gateway' }, /name must be a DNS-1123 subdomain.*got "Kserve_Gateway"/],
    ['namespace that is not DNS-1123', { namespace: 'k.serve' }, /namespace must be a DNS-1123 label.*got "k.serve"/],
    ['listener name that is not DNS-1123', { listenerName: 'HTTP' }, /listenerName must be a DNS-1123 label/],
    ['an infrastructure label key with a space', { infrastructureLabels: { 'my team': 'ml' } }, /infrastructureLabels key must be a label key: .*got "my team"/],
    ['an infrastructure label key with an upper-case prefix', { infrastructureLabels: { 'Example.com/team': 'ml' } }, /infrastructureLabels key must be a label key/],
    ['an infrastructure label key with two slashes', { infrastructureLabels: { 'a/b/c': 'ml' } }, /infrastructureLabels key must be a label key/],
    ['an infrastructure label key of 64 characters', { infrastructureLabels: { ['k'.repeat(64)]: 'ml' } }, /infrastructureLabels key must be a label key/],
    ['an infrastructure label value that ends in "-"', { infrastructureLabels: { team: 'ml-' } },
      /infrastructureLabels\["team"\] must be a label value: empty, or at most 63 .*got "ml-"/],
    ['an infrastructure label value of 64 characters', { infrastructureLabels: { team: 'v'.repeat(64) } }, /infrastructureLabels\["team"\] must be a label value/],
    ['an infrastructure label value that is not a string', { infrastructureLabels: { team: 7 as any } }, /infrastructureLabels\["team"\] must be a label value.*got 7/],
    ['no infrastructure labels', { infrastructureLabels: {} }, /infrastructureLabels must be at least one label \(NetworkPolicies select the proxy pods by them\), got {}/],
    ['infrastructure labels that are not a map', { infrastructureLabels: ['team'] as any }, /infrastructureLabels must be a map of label keys to label values, got \["team"\]/],
  ])('fails for %s', (_, props, message) => {
    expect(() => new IngressGateway(chart(), 'Gateway', props)).toThrow(message);
  });

  test('lists every bad label in one error', () => {
    expect(() => new IngressGateway(chart(), 'Gateway', { infrastructureLabels: { 'a b': 'x', 'team': 'y z' }, port: 0 })).toThrow(
      /IngressGateway test\/Gateway: 3 problems:\n {2}- port must be .*\n {2}- infrastructureLabels key must be .*"a b"\n {2}- infrastructureLabels\["team"\] must be .*"y z"/);
  });
});
