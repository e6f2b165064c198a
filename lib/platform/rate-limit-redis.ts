import { Duration } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-28';
import { cdk8sPlusLibrary as plus } from '../shared/imports';
import { Construct } from 'constructs';
import { checkProps, DNS1123_LABEL_RULE, isDns1123Label, PropErrors } from '../shared/validation';
import {
  checkWorkload, restrictedContainerProps, restrictedPod, restrictPodSeccomp, WorkloadResources,
} from './rate-limit-workload';

/**
 * Redis as a released project pins it: mailcow-dockerized's docker-compose.yml runs `redis:7.4.6-alpine`. 7.4.6 is
 * the 7.4 release with the fix for CVE-2025-49844. The alpine image's `redis` user is uid/gid 999.
 */
export const DEFAULT_REDIS_IMAGE = 'docker.io/library/redis:7.4.6-alpine';
const REDIS_UID = 999;
/** Redis's default port. */
export const REDIS_PORT = 6379;

/** Options for the Redis that holds the rate-limit counters. */
export interface RateLimitRedisOptions {
  /**
   * Image, by tag.
   * @default 'docker.io/library/redis:7.4.6-alpine'
   */
  readonly image?: string;
  /**
   * Digest of the image (`sha256:…`), appended as `image@digest`. The hardened profile requires it.
   * @default - none: the image is pulled by tag
   */
  readonly imageDigest?: string;
  /**
   * Resources of the Redis container.
   * @default - requests 50m / 64Mi, limits 500m / 256Mi
   */
  readonly resources?: WorkloadResources;
  /**
   * Redis `maxmemory`; keys are counters with a TTL, so under pressure the ones closest to expiry go first
   * (`volatile-ttl`). Keep it below the memory limit.
   * @default '192mb'
   */
  readonly maxMemory?: string;
}

/** Props for {@link RateLimitRedis}. */
export interface RateLimitRedisProps extends RateLimitRedisOptions {
  /** Namespace of the objects. */
  readonly namespace: string;
  /** Name of the Deployment, Service and ServiceAccount. */
  readonly name: string;
}

const DEFAULT_RESOURCES: WorkloadResources = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } };

/**
 * The Redis behind envoyproxy/ratelimit: a single replica without persistence. Counters are windows of at most a
 * day; losing them on a restart refills every bucket once, which beats the cost of a persistent volume here.
 */
export class RateLimitRedis extends Construct {
  /** Service name (`REDIS_URL` is `<name>:6379` from the same namespace). */
  public readonly serviceName!: string;
  /** Namespace. */
  public readonly namespace!: string;
  /** The ServiceAccount (cdk8s-plus; `ApiObject.of()` gives the object for JSON patches). */
  public readonly serviceAccount!: kplus.ServiceAccount;
  /** The Deployment (cdk8s-plus). */
  public readonly deployment!: kplus.Deployment;
  /** The Service (cdk8s-plus). */
  public readonly service!: kplus.Service;

  constructor(scope: Construct, id: string, props: RateLimitRedisProps) {
    super(scope, id);
    if (!checkProps('RateLimitRedis', this, props, ['name', 'namespace'])) return;
    this.serviceName = props.name;
    this.namespace = props.namespace;
    const image = props.image ?? DEFAULT_REDIS_IMAGE;
    const resources = props.resources ?? DEFAULT_RESOURCES;
    const maxMemory = props.maxMemory ?? '192mb';

    const errors = new PropErrors('RateLimitRedis', this).check(isDns1123Label(props.name), 'name', props.name, DNS1123_LABEL_RULE);
    checkWorkload(errors, 'redis.', image, props.imageDigest, resources);
    errors.check(/^[0-9]+(b|kb|mb|gb)?$/i.test(maxMemory), 'redis.maxMemory', maxMemory, 'a Redis memory size such as "192mb"');
    if (errors.report()) return;

    const labels = { 'app.kubernetes.io/name': props.name, 'app.kubernetes.io/component': 'rate-limit-store' };
    const metadata = { name: props.name, namespace: props.namespace, labels };
    this.serviceAccount = new (plus().ServiceAccount)(this, 'ServiceAccount', { metadata, automountToken: false });
    this.service = new (plus().Service)(this, 'Service', {
      metadata,
      selector: plus().Pods.select(this, 'Pods', { labels }),
      ports: [{ name: 'redis', port: REDIS_PORT, protocol: plus().Protocol.TCP, targetPort: REDIS_PORT }],
    });
    this.deployment = new (plus().Deployment)(this, 'Deployment', {
      metadata,
      // One writer: two Redis replicas would each keep their own counters.
      replicas: 1,
      strategy: plus().DeploymentStrategy.recreate(),
      select: false,
      podMetadata: { labels },
      serviceAccount: this.serviceAccount,
      ...restrictedPod(REDIS_UID),
    });
    this.deployment.select(plus().LabelSelector.of({ labels }));
    restrictPodSeccomp(this.deployment);
    this.deployment.addContainer({
      name: 'redis',
      ...restrictedContainerProps(REDIS_UID, image, props.imageDigest, resources),
      args: ['redis-server', '--save', '', '--appendonly', 'no', '--maxmemory', maxMemory, '--maxmemory-policy', 'volatile-ttl'],
      ports: [{ name: 'redis', number: REDIS_PORT, protocol: plus().Protocol.TCP }],
      readiness: plus().Probe.fromCommand(['redis-cli', 'ping'], { periodSeconds: Duration.seconds(5), timeoutSeconds: Duration.seconds(2) }),
      liveness: plus().Probe.fromTcpSocket({ port: REDIS_PORT, initialDelaySeconds: Duration.seconds(10), periodSeconds: Duration.seconds(10) }),
      volumeMounts: [{ path: '/data', volume: plus().Volume.fromEmptyDir(this, 'Data', 'data') }],
    });
  }
}
