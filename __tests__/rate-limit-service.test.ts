import { limitFor, parseRateLimitConfig, RateLimitUnit, renderRateLimitConfig, RateLimitConfig, hasKeyPath } from '../lib/platform/rate-limit-config';
import { DEFAULT_RATELIMIT_IMAGE, RateLimitService } from '../lib/platform/rate-limit-service';
import { App, Chart } from 'cdk8s';
import { chart, objectsOf, only, synthesizing } from './helpers';

const CONFIG: RateLimitConfig = {
  domain: 'llm-tenants',
  descriptors: [
    { key: 'tier', value: 'gold', descriptors: [{ key: 'tenant', rateLimit: { unit: RateLimitUnit.MINUTE, requestsPerUnit: 1000 } }] },
    { key: 'tier', value: 'silver', descriptors: [{ key: 'tenant', rateLimit: { unit: RateLimitUnit.HOUR, requestsPerUnit: 50 } }] },
  ],
};

describe('RateLimitService', () => {
  test('runs envoyproxy/ratelimit and Redis in their own namespace, reading one file per domain', () => {
    const c = chart();
    new RateLimitService(c, 'Rl', { configs: [CONFIG] });
    const objects = objectsOf(c);

    expect(only(objects, 'Namespace').metadata.name).toBe('ratelimit');
    expect(objects.filter(o => o.metadata.namespace && o.metadata.namespace !== 'ratelimit')).toEqual([]);
    const cm = only(objects, 'ConfigMap', 'ratelimit-config');
    expect(Object.keys(cm.data)).toEqual(['llm-tenants.yaml']);
    expect(parseRateLimitConfig(cm.data['llm-tenants.yaml'])).toEqual(parseRateLimitConfig(renderRateLimitConfig(CONFIG)));
    expect(cm.data['llm-tenants.yaml']).toContain('requests_per_unit: 1000');

    const deploy = only(objects, 'Deployment', 'ratelimit');
    const container = deploy.spec.template.spec.containers[0];
    expect(container.image).toBe(DEFAULT_RATELIMIT_IMAGE);
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({ REDIS_URL: 'ratelimit-redis:6379', REDIS_SOCKET_TYPE: 'tcp', RUNTIME_ROOT: '/data', RUNTIME_SUBDIRECTORY: 'ratelimit', RUNTIME_WATCH_ROOT: 'false', GRPC_PORT: '8081' });
    // The service reads RUNTIME_ROOT/RUNTIME_SUBDIRECTORY/RUNTIME_APPDIRECTORY: the ConfigMap must be mounted exactly there.
    expect(container.volumeMounts[0].mountPath).toBe(`${env.RUNTIME_ROOT}/${env.RUNTIME_SUBDIRECTORY}/${env.RUNTIME_APPDIRECTORY}`);
    expect(deploy.spec.template.spec.volumes[0].configMap.name).toBe('ratelimit-config');
    expect(container.readinessProbe.httpGet).toEqual({ path: '/healthcheck', port: 'http' });
    expect(container.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(container.resources.limits).toEqual({ cpu: '1', memory: '512Mi' });

    const svc = only(objects, 'Service', 'ratelimit');
    expect(svc.spec.ports.find((p: any) => p.name === 'grpc')).toMatchObject({ port: 8081, targetPort: 'grpc' });
    expect(svc.spec.selector).toEqual(deploy.spec.template.metadata.labels);

    const redis = only(objects, 'Deployment', 'ratelimit-redis').spec.template.spec;
    expect(redis.containers[0].image).toBe('docker.io/library/redis:7.4.6-alpine');
    expect(redis.containers[0].securityContext).toMatchObject({ runAsUser: 999, readOnlyRootFilesystem: true });
    expect(redis.volumes).toEqual([{ name: 'data', emptyDir: {} }]);
    expect(only(objects, 'Service', 'ratelimit-redis').spec.ports[0].port).toBe(6379);
  });

  test('in a chart with a namespace, its Namespace stays cluster-scoped (no metadata.namespace) and its objects stay in their own namespace', () => {
    const c = new Chart(new App(), 'Apps', { namespace: 'apps' });
    new RateLimitService(c, 'Rl');
    const objects = objectsOf(c);
    expect(only(objects, 'Namespace').metadata).toEqual({ name: 'ratelimit' });
    expect(objects.filter(o => o.kind !== 'Namespace' && o.metadata.namespace !== 'ratelimit')).toEqual([]);
  });

  test('pins the images by digest when given', () => {
    const c = chart();
    const d1 = `sha256:${'a'.repeat(64)}`;
    const d2 = `sha256:${'b'.repeat(64)}`;
    new RateLimitService(c, 'Rl', { imageDigest: d1, redis: { imageDigest: d2 } });
    const objects = objectsOf(c);
    expect(only(objects, 'Deployment', 'ratelimit').spec.template.spec.containers[0].image).toBe(`${DEFAULT_RATELIMIT_IMAGE}@${d1}`);
    expect(only(objects, 'Deployment', 'ratelimit-redis').spec.template.spec.containers[0].image).toMatch(/@sha256:b{64}$/);
  });

  test('lists every bad prop in one error', () => {
    expect(synthesizing(() => new RateLimitService(chart(), 'Rl', {
      namespace: 'Bad_NS', replicas: 0, imageDigest: 'sha256:xyz', image: 'envoyproxy/ratelimit:latest',
      resources: { requests: { cpu: '2', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
    }))).toThrow(/RateLimitService test\/Rl: \d problems:[\s\S]*namespace must be[\s\S]*replicas must be a whole number from 1 to 100, got 0[\s\S]*:latest[\s\S]*imageDigest must be[\s\S]*limits.cpu \(1\) must not be below resources.requests.cpu \(2\)/);
  });

  test('refuses two files for one domain', () => {
    const rl = new RateLimitService(chart(), 'Rl', { configs: [CONFIG] });
    expect(synthesizing(() => { rl.addConfig({ ...CONFIG, descriptors: [] }); return rl; })).toThrow(/domain "llm-tenants" is configured twice/);
    expect(() => rl.addConfigOnce(CONFIG)).not.toThrow();
  });

  test('grants policies of other namespaces access to its Service, once', () => {
    const c = chart();
    const rl = new RateLimitService(c, 'Rl');
    rl.allowPoliciesFrom('team-b');
    rl.allowPoliciesFrom('team-a');
    rl.allowPoliciesFrom('team-a');
    const grant = only(objectsOf(c), 'ReferenceGrant');
    expect(grant.metadata.namespace).toBe('ratelimit');
    expect(grant.spec.from.map((f: any) => f.namespace)).toEqual(['team-a', 'team-b']);
    expect(grant.spec.to).toEqual([{ group: '', kind: 'Service', name: 'ratelimit' }]);
  });
});

test('admits only the given clients to gRPC and only the service to Redis', () => {
  const c = chart();
  const rl = new RateLimitService(c, 'Rl');
  expect(objectsOf(c).filter(o => o.kind === 'NetworkPolicy')).toEqual([]);
  rl.admitClients('kserve', { 'serving.kserve.io/gateway': 'gw' });
  const objects = objectsOf(c);
  const np = only(objects, 'NetworkPolicy', 'ratelimit-clients');
  expect(np.spec.podSelector.matchLabels).toEqual(only(objects, 'Deployment', 'ratelimit').spec.template.metadata.labels);
  expect(np.spec.ingress).toEqual([{
    from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kserve' } }, podSelector: { matchLabels: { 'serving.kserve.io/gateway': 'gw' } } }],
    ports: [{ port: 8081, protocol: 'TCP' }],
  }]);
  const redis = only(objects, 'NetworkPolicy', 'ratelimit-redis-clients');
  expect(redis.spec.podSelector.matchLabels).toEqual(only(objects, 'Deployment', 'ratelimit-redis').spec.template.metadata.labels);
  expect(redis.spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: np.spec.podSelector.matchLabels } }]);
});

describe('rate-limit config matching (as envoyproxy/ratelimit GetLimit)', () => {
  test('finds the limit a descriptor lands on, and none for an unknown value', () => {
    expect(limitFor(CONFIG, [{ key: 'tier', value: 'gold' }, { key: 'tenant', value: 'team-a' }])).toEqual({ unit: 'minute', requestsPerUnit: 1000 });
    expect(limitFor(CONFIG, [{ key: 'tier', value: 'bronze' }, { key: 'tenant', value: 'team-a' }])).toBeUndefined();
    expect(limitFor(CONFIG, [{ key: 'tier', value: 'gold' }])).toBeUndefined();
    expect(hasKeyPath(CONFIG, ['tier', 'tenant'])).toBe(true);
    expect(hasKeyPath(CONFIG, ['tenant'])).toBe(false);
  });

  test('prefers key and value over a prefix* value over the key alone', () => {
    const cfg = parseRateLimitConfig(`domain: d
descriptors:
  - key: k
    rate_limit: { unit: second, requests_per_unit: 1 }
  - key: k
    value: "ab*"
    rate_limit: { unit: second, requests_per_unit: 2 }
  - key: k
    value: abc
    rate_limit: { unit: second, requests_per_unit: 3 }
`);
    expect(limitFor(cfg, [{ key: 'k', value: 'abc' }])?.requestsPerUnit).toBe(3);
    expect(limitFor(cfg, [{ key: 'k', value: 'abd' }])?.requestsPerUnit).toBe(2);
    expect(limitFor(cfg, [{ key: 'k', value: 'x' }])?.requestsPerUnit).toBe(1);
  });

  test('refuses what the service refuses: unknown keys and units', () => {
    expect(() => parseRateLimitConfig('domain: d\ndescriptors: [{ key: k, rate_limits: {} }]')).toThrow(/unknown key "rate_limits"/);
    expect(() => parseRateLimitConfig('domain: d\ndescriptors: [{ key: k, rate_limit: { unit: week, requests_per_unit: 1 } }]')).toThrow(/invalid rate limit unit "week"/);
    expect(() => parseRateLimitConfig('descriptors: []')).toThrow(/needs a non-empty "domain"/);
  });
});
