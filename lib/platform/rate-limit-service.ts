import { Duration } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-28';
import { cdk8sPlusLibrary as plus } from '../shared/imports';
import { Construct, IConstruct } from 'constructs';
import { plainNamespace } from '../shared/namespace';
import { checkProps, DNS1123_LABEL_RULE, isDns1123Label, isIntInRange, isPort, PropErrors } from '../shared/validation';
import { RateLimitAccess } from './rate-limit-access';
import { RateLimitConfig, renderRateLimitConfig } from './rate-limit-config';
import { RateLimitRedis, RateLimitRedisOptions, REDIS_PORT } from './rate-limit-redis';
import {
  checkWorkload, restrictedContainerProps, restrictedPod, restrictPodSeccomp, WorkloadResources,
} from './rate-limit-workload';

/**
 * envoyproxy/ratelimit publishes commit tags only. This is the one Envoy Gateway v1.8.x pins
 * (`global.images.ratelimit.image` in envoyproxy/gateway@v1.8.3:charts/gateway-helm/values.tmpl.yaml, as its
 * release install.yaml renders it): commit 1e50889b (2026-06-05). It has per-descriptor `hits_addend` (#802,
 * envoyproxy/ratelimit@38500fe), which agentgateway's token charge needs: a 0 there means "check only".
 */
export const DEFAULT_RATELIMIT_IMAGE = 'docker.io/envoyproxy/ratelimit:1e50889b';
/** distroless `static-debian12:nonroot` (envoyproxy/ratelimit@1e50889b:Dockerfile): uid 65532. */
const RATELIMIT_UID = 65532;

/** The ports envoyproxy/ratelimit listens on (src/settings/settings.go: GRPC_PORT, PORT, DEBUG_PORT defaults). */
export const RATELIMIT_PORTS = { grpc: 8081, http: 8080, debug: 6070 } as const;

/** Where the config ConfigMap is mounted: `RUNTIME_ROOT/RUNTIME_SUBDIRECTORY/RUNTIME_APPDIRECTORY`. */
const RUNTIME_ROOT = '/data';
const RUNTIME_SUBDIRECTORY = 'ratelimit';

/** Log levels the service accepts (logrus, src/settings/settings.go LOG_LEVEL). */
export type RateLimitLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A rate-limit service a policy can send descriptors to: this stack's, or one running elsewhere. */
export interface IRateLimitServiceRef extends IConstruct {
  /** Service name. */
  readonly serviceName: string;
  /** Service namespace. */
  readonly serviceNamespace: string;
  /** The Service port that carries Envoy's RateLimitService v3 gRPC. */
  readonly grpcPort: number;
}

/** What identifies a rate-limit service this app does not define. */
export interface RateLimitServiceAttributes {
  /** Service name. */
  readonly name: string;
  /** Service namespace. */
  readonly namespace: string;
  /**
   * The Service port that carries Envoy's RateLimitService v3 gRPC.
   * @default 8081 (envoyproxy/ratelimit's)
   */
  readonly grpcPort?: number;
}

/** A rate-limit service imported by its attributes. */
class ImportedRateLimitService extends Construct implements IRateLimitServiceRef {
  public readonly serviceName!: string;
  public readonly serviceNamespace!: string;
  public readonly grpcPort!: number;

  constructor(scope: Construct, id: string, attrs: RateLimitServiceAttributes) {
    super(scope, id);
    if (!checkProps('RateLimitService.fromRateLimitServiceAttributes', this, attrs, ['name', 'namespace'])) return;
    this.serviceName = attrs.name;
    this.serviceNamespace = attrs.namespace;
    this.grpcPort = attrs.grpcPort ?? RATELIMIT_PORTS.grpc;
    new PropErrors('RateLimitService.fromRateLimitServiceAttributes', this)
      .check(isDns1123Label(attrs.name), 'name', attrs.name, DNS1123_LABEL_RULE)
      .check(isDns1123Label(attrs.namespace), 'namespace', attrs.namespace, DNS1123_LABEL_RULE)
      .check(isPort(this.grpcPort), 'grpcPort', this.grpcPort, 'a whole number from 1 to 65535')
      .report();
  }
}

/** Props for {@link RateLimitService}. */
export interface RateLimitServiceProps {
  /**
   * Namespace of every object; the construct creates it.
   * @default 'ratelimit'
   */
  readonly namespace?: string;
  /**
   * Create the Namespace object.
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Name of the ratelimit Deployment, Service, ServiceAccount and (with `-config`) ConfigMap.
   * @default 'ratelimit'
   */
  readonly name?: string;
  /**
   * Configuration files, one per domain; more can be added with `addConfig()`.
   * @default - none yet
   */
  readonly configs?: readonly RateLimitConfig[];
  /**
   * envoyproxy/ratelimit image by tag.
   * @default 'docker.io/envoyproxy/ratelimit:1e50889b'
   */
  readonly image?: string;
  /**
   * Digest of the image (`sha256:…`). The hardened profile requires it, as it does for the model image.
   * @default - none: pulled by tag
   */
  readonly imageDigest?: string;
  /**
   * Replicas of the (stateless) service; the counters are in Redis, so every replica sees the same budget.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Resources of the ratelimit container.
   * @default - requests 100m / 128Mi, limits 1 / 512Mi
   */
  readonly resources?: WorkloadResources;
  /**
   * `LOG_LEVEL`.
   * @default 'info'
   */
  readonly logLevel?: RateLimitLogLevel;
  /**
   * Service port for gRPC (the one a policy's `backendRef.port` names).
   * @default 8081
   */
  readonly grpcPort?: number;
  /**
   * The Redis holding the counters.
   * @default - `redis:7.4.6-alpine`, one replica, no persistence
   */
  readonly redis?: RateLimitRedisOptions;
}

const DEFAULT_RESOURCES: WorkloadResources = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } };
const LOG_LEVELS: readonly RateLimitLogLevel[] = ['debug', 'info', 'warn', 'error'];
// ConfigMap keys: [-._a-zA-Z0-9]+ (k8s.io/apimachinery validation.IsConfigMapKey); one file per domain.
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * envoyproxy/ratelimit and its Redis, in their own namespace: the rate-limit service agentgateway's
 * `rateLimit.global` sends descriptors to over Envoy's RateLimitService v3 gRPC protocol. Counting is shared by
 * every proxy replica (unlike `rateLimit.local`, which each replica keeps for itself).
 */
export class RateLimitService extends Construct implements IRateLimitServiceRef {
  /** A rate-limit service this app does not define (it emits nothing), e.g. one a platform team runs. */
  public static fromRateLimitServiceAttributes(scope: Construct, id: string, attrs: RateLimitServiceAttributes): IRateLimitServiceRef {
    return new ImportedRateLimitService(scope, id, attrs);
  }

  public readonly serviceName!: string;
  public readonly serviceNamespace!: string;
  public readonly grpcPort!: number;
  /** The Namespace, when created (cdk8s-plus; `ApiObject.of()` gives the object for JSON patches). */
  public readonly namespaceObject?: kplus.Namespace;
  /** The config ConfigMap (`<name>-config`, one `<domain>.yaml` key per domain; cdk8s-plus). */
  public readonly configMap!: kplus.ConfigMap;
  /** The ServiceAccount (cdk8s-plus). */
  public readonly serviceAccount!: kplus.ServiceAccount;
  /** The Deployment (cdk8s-plus). */
  public readonly deployment!: kplus.Deployment;
  /** The Service (cdk8s-plus). */
  public readonly service!: kplus.Service;
  /** The Redis. */
  public readonly redis!: RateLimitRedis;
  private readonly configs = new Map<string, RateLimitConfig>();
  private _access?: RateLimitAccess;

  constructor(scope: Construct, id: string, props: RateLimitServiceProps = {}) {
    super(scope, id);
    if (!checkProps('RateLimitService', this, props)) return;
    const name = props.name ?? 'ratelimit';
    this.serviceName = name;
    this.serviceNamespace = props.namespace ?? 'ratelimit';
    this.grpcPort = props.grpcPort ?? RATELIMIT_PORTS.grpc;
    const image = props.image ?? DEFAULT_RATELIMIT_IMAGE;
    const resources = props.resources ?? DEFAULT_RESOURCES;
    const replicas = props.replicas ?? 1;
    const logLevel = props.logLevel ?? 'info';

    const errors = new PropErrors('RateLimitService', this)
      .check(isDns1123Label(this.serviceNamespace), 'namespace', this.serviceNamespace, DNS1123_LABEL_RULE)
      .check(isDns1123Label(name) && name.length <= 56, 'name', name, `${DNS1123_LABEL_RULE}, at most 56 characters (the Redis is "<name>-redis")`)
      .check(isIntInRange(replicas, 1, 100), 'replicas', replicas, 'a whole number from 1 to 100')
      .check(LOG_LEVELS.includes(logLevel), 'logLevel', logLevel, `one of ${LOG_LEVELS.join(', ')}`)
      .check(isPort(this.grpcPort), 'grpcPort', this.grpcPort, 'a port from 1 to 65535');
    checkWorkload(errors, '', image, props.imageDigest, resources);
    if (errors.report()) return;

    const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': 'rate-limit-service' };
    const metadata = { name, namespace: this.serviceNamespace, labels };
    if (props.createNamespace ?? true) {
      this.namespaceObject = plainNamespace(this, 'Namespace', this.serviceNamespace);
    }
    this.redis = new RateLimitRedis(this, 'Redis', { ...props.redis, name: `${name}-redis`, namespace: this.serviceNamespace });

    this.configMap = new (plus().ConfigMap)(this, 'Config', { metadata: { ...metadata, name: `${name}-config` } });
    for (const config of props.configs ?? []) this.addConfig(config);

    this.serviceAccount = new (plus().ServiceAccount)(this, 'ServiceAccount', { metadata, automountToken: false });
    this.service = new (plus().Service)(this, 'Service', {
      metadata,
      selector: plus().Pods.select(this, 'Pods', { labels }),
      ports: [
        { name: 'grpc', port: this.grpcPort, protocol: plus().Protocol.TCP, targetPort: RATELIMIT_PORTS.grpc },
        { name: 'http', port: RATELIMIT_PORTS.http, protocol: plus().Protocol.TCP, targetPort: RATELIMIT_PORTS.http },
      ],
    });
    this.deployment = new (plus().Deployment)(this, 'Deployment', {
      metadata,
      replicas,
      select: false,
      podMetadata: { labels },
      serviceAccount: this.serviceAccount,
      ...restrictedPod(RATELIMIT_UID),
    });
    this.deployment.select(plus().LabelSelector.of({ labels }));
    restrictPodSeccomp(this.deployment);
    const healthcheck = { port: RATELIMIT_PORTS.http, timeoutSeconds: Duration.seconds(2) };
    this.deployment.addContainer({
      name: 'ratelimit',
      ...restrictedContainerProps(RATELIMIT_UID, image, props.imageDigest, resources),
      command: ['/bin/ratelimit'],
      envVariables: Object.fromEntries(Object.entries({
        LOG_LEVEL: logLevel,
        LOG_FORMAT: 'json',
        USE_STATSD: 'false',
        REDIS_SOCKET_TYPE: 'tcp',
        REDIS_URL: `${this.redis.serviceName}:${REDIS_PORT}`,
        RUNTIME_ROOT,
        RUNTIME_SUBDIRECTORY,
        RUNTIME_APPDIRECTORY: 'config',
        // A ConfigMap volume swaps a `..data` symlink on update: watch the files, skip the dot entries.
        RUNTIME_WATCH_ROOT: 'false',
        RUNTIME_IGNOREDOTFILES: 'true',
        GRPC_PORT: String(RATELIMIT_PORTS.grpc),
        PORT: String(RATELIMIT_PORTS.http),
        DEBUG_PORT: String(RATELIMIT_PORTS.debug),
      }).map(([k, v]) => [k, plus().EnvValue.fromValue(v)])),
      ports: [
        { name: 'grpc', number: RATELIMIT_PORTS.grpc, protocol: plus().Protocol.TCP },
        { name: 'http', number: RATELIMIT_PORTS.http, protocol: plus().Protocol.TCP },
        { name: 'debug', number: RATELIMIT_PORTS.debug, protocol: plus().Protocol.TCP },
      ],
      readiness: plus().Probe.fromHttpGet('/healthcheck', { ...healthcheck, periodSeconds: Duration.seconds(5) }),
      liveness: plus().Probe.fromHttpGet('/healthcheck', { ...healthcheck, initialDelaySeconds: Duration.seconds(10), periodSeconds: Duration.seconds(10) }),
      volumeMounts: [{
        path: `${RUNTIME_ROOT}/${RUNTIME_SUBDIRECTORY}/config`,
        volume: plus().Volume.fromConfigMap(this, 'ConfigVolume', this.configMap, { name: 'config' }),
        readOnly: true,
      }],
    });
  }

  /** The NetworkPolicies of `admitClients()` (cdk8s-plus): none until it is first called. */
  public get networkPolicies(): kplus.NetworkPolicy[] {
    return [this._access?.clientsPolicy, this._access?.redisPolicy].filter((p): p is kplus.NetworkPolicy => p !== undefined);
  }

  /** The domains configured so far. */
  public get domains(): string[] {
    return [...this.configs.keys()].sort();
  }

  /**
   * Lets AgentgatewayPolicies in `namespace` name this Service as their `backendRef` (a ReferenceGrant in the
   * Service's namespace).
   */
  public allowPoliciesFrom(namespace: string): void {
    if (namespace !== this.serviceNamespace) this.access.allowPoliciesFrom(namespace);
  }

  /**
   * Admits gRPC clients (the gateway's proxy pods) and shuts everyone else out with NetworkPolicies; until first
   * called, none is emitted.
   */
  public admitClients(namespace: string, podLabels: Record<string, string>): void {
    this.access.admitClients(namespace, podLabels);
  }

  private get access(): RateLimitAccess {
    this._access ??= new RateLimitAccess(this, 'Access', {
      serviceName: this.serviceName, namespace: this.serviceNamespace,
      podLabels: this.deployment.matchLabels, redisPodLabels: this.redis.deployment.matchLabels, redisName: this.redis.serviceName,
    });
    return this._access;
  }

  /**
   * Adds a domain's file unless the same file is already there (several policies built from one tenants description
   * share it); a different file for the same domain is an error.
   */
  public addConfigOnce(config: RateLimitConfig): void {
    const existing = this.configs.get(config.domain);
    if (existing && renderRateLimitConfig(existing) === renderRateLimitConfig(config)) return;
    this.addConfig(config);
  }

  /** Adds one domain's configuration file. Domains must be unique: the service refuses two files for one domain. */
  public addConfig(config: RateLimitConfig): void {
    const errors = new PropErrors('RateLimitService', this)
      .check(CONFIG_MAP_KEY.test(config.domain) && config.domain.length <= 200, 'configs[].domain', config.domain,
        'letters, digits, "-", "_" or "." (it names the file), at most 200 characters');
    if (this.configs.has(config.domain)) errors.add(`configs[].domain ${JSON.stringify(config.domain)} is configured twice: give each configuration its own domain`);
    if (errors.report()) return;
    this.configs.set(config.domain, config);
    this.configMap.addData(`${config.domain}.yaml`, renderRateLimitConfig(config));
  }
}
