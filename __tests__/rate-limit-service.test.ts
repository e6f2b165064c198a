import { limitFor, parseRateLimitConfig, RateLimitUnit, renderRateLimitConfig, RateLimitConfig, hasKeyPath } from '../lib/platform/rate-limit-config';
import { DEFAULT_RATELIMIT_IMAGE, RateLimitService } from '../lib/platform/rate-limit-service';
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
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
    expect(container.readinessProbe.httpGet).toEqual({ path: '/healthcheck', port: 8080, scheme: 'HTTP' });
    expect(container.ports.find((p: any) => p.name === 'http').containerPort).toBe(8080);
    expect(container.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(container.resources.limits).toEqual({ cpu: '1', memory: '512Mi' });

    const svc = only(objects, 'Service', 'ratelimit');
    expect(svc.spec.ports.find((p: any) => p.name === 'grpc')).toMatchObject({ port: 8081, targetPort: 8081 });
    expect(svc.spec.selector).toEqual(deploy.spec.selector.matchLabels);
    expect(deploy.spec.template.metadata.labels).toMatchObject(deploy.spec.selector.matchLabels);

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

  test('runs both workloads restricted, through cdk8s-plus props; what cdk8s-plus adds is what the API server would default', () => {
    const c = chart();
    new RateLimitService(c, 'Rl');
    const objects = objectsOf(c);
    for (const [name, uid] of [['ratelimit', 65532], ['ratelimit-redis', 999]] as const) {
      const deploy = only(objects, 'Deployment', name);
      const { containers: [container], volumes, serviceAccountName, ...pod } = deploy.spec.template.spec;
      expect(pod).toEqual({
        automountServiceAccountToken: false,
        // RuntimeDefault at pod level comes in through the escape hatch: cdk8s-plus-28 has the prop on containers only.
        securityContext: { fsGroup: uid, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, fsGroupChangePolicy: 'Always' },
        dnsPolicy: 'ClusterFirst', hostNetwork: false, restartPolicy: 'Always', setHostnameAsFQDN: false, terminationGracePeriodSeconds: 30,
      });
      expect(serviceAccountName).toBe(name);
      expect(volumes).toHaveLength(1);
      expect(container.securityContext).toEqual({
        allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true,
        runAsGroup: uid, runAsNonRoot: true, runAsUser: uid, seccompProfile: { type: 'RuntimeDefault' },
      });
      // cdk8s-plus would say Always; IfNotPresent is the API server's default for a tag other than latest.
      expect(container.imagePullPolicy).toBe('IfNotPresent');
      expect(deploy.spec).toMatchObject({ minReadySeconds: 0, progressDeadlineSeconds: 600, replicas: 1 });
      expect(only(objects, 'ServiceAccount', name).automountServiceAccountToken).toBe(false);
      expect(only(objects, 'Service', name).spec.type).toBe('ClusterIP');
    }
    expect(only(objects, 'Deployment', 'ratelimit').spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    expect(only(objects, 'Deployment', 'ratelimit-redis').spec.strategy).toEqual({ type: 'Recreate' });
  });

  test('writes resources as cdk8s-plus does: CPU as given, memory in whole mebibytes, rounded up', () => {
    const c = chart();
    new RateLimitService(c, 'Rl', {
      resources: { requests: { cpu: '250m', memory: '100M' }, limits: { cpu: '1.5', memory: '1Gi' } },
      redis: { resources: { requests: { cpu: '0.1', memory: '64Mi' }, limits: { cpu: '2', memory: '268435456' } } },
    });
    const resources = (name: string) => only(objectsOf(c), 'Deployment', name).spec.template.spec.containers[0].resources;
    expect(resources('ratelimit')).toEqual({ requests: { cpu: '250m', memory: '96Mi' }, limits: { cpu: '1.5', memory: '1024Mi' } });
    expect(resources('ratelimit-redis')).toEqual({ requests: { cpu: '0.1', memory: '64Mi' }, limits: { cpu: '2', memory: '256Mi' } });
  });

  test('exposes its cdk8s-plus objects; escape hatches reach the output', () => {
    const c = chart();
    const rl = new RateLimitService(c, 'Rl');
    expect([rl.deployment, rl.redis.deployment]).toEqual([expect.any(kplus.Deployment), expect.any(kplus.Deployment)]);
    expect([rl.service, rl.serviceAccount, rl.configMap, rl.namespaceObject]).toEqual([
      expect.any(kplus.Service), expect.any(kplus.ServiceAccount), expect.any(kplus.ConfigMap), expect.any(kplus.Namespace),
    ]);
    expect(rl.networkPolicies).toEqual([]);
    rl.admitClients('kserve', { app: 'proxy' });
    expect(rl.networkPolicies.map(p => p.name)).toEqual(['ratelimit-clients', 'ratelimit-redis-clients']);

    ApiObject.of(rl.deployment).addJsonPatch(JsonPatch.add('/spec/revisionHistoryLimit', 3));
    // cdk8s-plus selects a workload's pods by its address label, which the pods carry.
    new kplus.NetworkPolicy(c, 'Own', { metadata: { name: 'own', namespace: 'ratelimit' }, selector: rl.deployment });
    rl.networkPolicies[0].addIngressRule(kplus.Pods.select(c, 'Debug', { labels: { app: 'debug' } }), [kplus.NetworkPolicyPort.tcp(6070)]);
    const objects = objectsOf(c);
    expect(only(objects, 'Deployment', 'ratelimit').spec.revisionHistoryLimit).toBe(3);
    expect(only(objects, 'Deployment', 'ratelimit').spec.template.metadata.labels).toMatchObject(only(objects, 'NetworkPolicy', 'own').spec.podSelector.matchLabels);
    expect(only(objects, 'NetworkPolicy', 'ratelimit-clients').spec.ingress[1]).toEqual({ from: [{ podSelector: { matchLabels: { app: 'debug' } } }], ports: [{ port: 6070, protocol: 'TCP' }] });
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
  expect(np.spec.podSelector.matchLabels).toEqual(only(objects, 'Deployment', 'ratelimit').spec.selector.matchLabels);
  expect(np.spec.ingress).toEqual([{
    from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kserve' } }, podSelector: { matchLabels: { 'serving.kserve.io/gateway': 'gw' } } }],
    ports: [{ port: 8081, protocol: 'TCP' }],
  }]);
  const redis = only(objects, 'NetworkPolicy', 'ratelimit-redis-clients');
  expect(redis.spec.policyTypes).toEqual(['Ingress']);
  expect(redis.spec.podSelector.matchLabels).toEqual(only(objects, 'Deployment', 'ratelimit-redis').spec.selector.matchLabels);
  expect(redis.spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: np.spec.podSelector.matchLabels } }]);
});

test('admits each client with a rule of its own, and the same client once', () => {
  const c = chart();
  const rl = new RateLimitService(c, 'Rl');
  rl.admitClients('kserve', { 'serving.kserve.io/gateway': 'gw' });
  rl.admitClients('edge', { app: 'proxy' });
  rl.admitClients('kserve', { 'serving.kserve.io/gateway': 'gw' });
  const rules = only(objectsOf(c), 'NetworkPolicy', 'ratelimit-clients').spec.ingress;
  // Rules add up: this admits what one rule listing both clients did.
  expect(rules.map((r: any) => [r.from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name'], r.from.length, r.ports])).toEqual([
    ['kserve', 1, [{ port: 8081, protocol: 'TCP' }]],
    ['edge', 1, [{ port: 8081, protocol: 'TCP' }]],
  ]);
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
