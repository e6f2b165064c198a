import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { REDIS_PORT } from './rate-limit-redis';

/** The rate-limit service's gRPC port inside the pod (envoyproxy/ratelimit src/settings/settings.go GRPC_PORT). */
const GRPC_CONTAINER_PORT = 8081;

/** Props for {@link RateLimitAccess}. */
export interface RateLimitAccessProps {
  /** The rate-limit Service's name. */
  readonly serviceName: string;
  /** Its namespace. */
  readonly namespace: string;
  /** Labels of the rate-limit pods (the Service's selector). */
  readonly podLabels: Record<string, string>;
  /** Name of the Redis Service. */
  readonly redisName: string;
  /** Labels of the Redis pods. */
  readonly redisPodLabels: Record<string, string>;
}

/**
 * Who may reach the rate-limit service: a ReferenceGrant for policies in other namespaces, and NetworkPolicies that
 * admit only the gateway's proxies to gRPC and only the service to Redis. Each object appears once it is needed,
 * listing every namespace or client added so far.
 */
export class RateLimitAccess extends Construct {
  private readonly policyNamespaces = new Set<string>();
  private readonly clients = new Map<string, { namespace: string; podLabels: Record<string, string> }>();
  private referenceGrant?: ApiObject;
  private networkPolicies?: ApiObject[];

  constructor(scope: Construct, id: string, private readonly props: RateLimitAccessProps) {
    super(scope, id);
  }

  /**
   * A cross-namespace `backendRef` needs a ReferenceGrant in the Service's namespace
   * (agentgateway@v1.4.1:controller/pkg/agentgateway/plugins/traffic_plugin.go `checkBackendRefGrant`).
   */
  public allowPoliciesFrom(namespace: string): void {
    this.policyNamespaces.add(namespace);
    this.referenceGrant ??= new ApiObject(this, 'ReferenceGrant', {
      apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant',
      metadata: { name: `${this.props.serviceName}-from-policies`, namespace: this.props.namespace },
      spec: {
        from: Lazy.any({ produce: () => [...this.policyNamespaces].sort().map(ns => ({ group: 'agentgateway.dev', kind: 'AgentgatewayPolicy', namespace: ns })) }),
        to: [{ group: '', kind: 'Service', name: this.props.serviceName }],
      },
    });
  }

  /** Probes come from the kubelet, which NetworkPolicies do not filter. */
  public admitClients(namespace: string, podLabels: Record<string, string>): void {
    this.clients.set(`${namespace}/${JSON.stringify(Object.entries(podLabels).sort())}`, { namespace, podLabels: { ...podLabels } });
    this.networkPolicies ??= [
      new ApiObject(this, 'NetworkPolicy', {
        apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
        metadata: { name: `${this.props.serviceName}-clients`, namespace: this.props.namespace },
        spec: {
          podSelector: { matchLabels: { ...this.props.podLabels } },
          policyTypes: ['Ingress'],
          ingress: [{
            from: Lazy.any({ produce: () => [...this.clients.values()].map(c => ({
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': c.namespace } },
              podSelector: { matchLabels: c.podLabels },
            })) }),
            ports: [{ port: GRPC_CONTAINER_PORT, protocol: 'TCP' }],
          }],
        },
      }),
      new ApiObject(this, 'RedisNetworkPolicy', {
        apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
        metadata: { name: `${this.props.redisName}-clients`, namespace: this.props.namespace },
        spec: {
          podSelector: { matchLabels: { ...this.props.redisPodLabels } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ podSelector: { matchLabels: { ...this.props.podLabels } } }], ports: [{ port: REDIS_PORT, protocol: 'TCP' }] }],
        },
      }),
    ];
  }
}
