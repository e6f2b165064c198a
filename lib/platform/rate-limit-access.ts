import { ApiObject, Lazy } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { REDIS_PORT } from './rate-limit-redis';
import { cdk8sPlusLibrary as plus } from '../shared/imports';

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
  private readonly clients = new Set<string>();
  private referenceGrant?: ApiObject;
  private _clientsPolicy?: kplus.NetworkPolicy;
  private _redisPolicy?: kplus.NetworkPolicy;

  constructor(scope: Construct, id: string, private readonly props: RateLimitAccessProps) {
    super(scope, id);
  }

  /** The NetworkPolicy admitting clients to the service's gRPC port (cdk8s-plus), once a client is admitted. */
  public get clientsPolicy(): kplus.NetworkPolicy | undefined {
    return this._clientsPolicy;
  }

  /** The NetworkPolicy admitting only the service to Redis (cdk8s-plus), once a client is admitted. */
  public get redisPolicy(): kplus.NetworkPolicy | undefined {
    return this._redisPolicy;
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

  /** Probes come from the kubelet, which NetworkPolicies do not filter. One rule per client, each with the gRPC port. */
  public admitClients(namespace: string, podLabels: Record<string, string>): void {
    const { serviceName, namespace: ownNamespace, podLabels: servicePods, redisName, redisPodLabels } = this.props;
    if (!this._clientsPolicy || !this._redisPolicy) {
      const service = plus().Pods.select(this, 'ServicePods', { labels: { ...servicePods } });
      this._clientsPolicy = new (plus().NetworkPolicy)(this, 'NetworkPolicy', {
        metadata: { name: `${serviceName}-clients`, namespace: ownNamespace },
        selector: service,
      });
      this._redisPolicy = new (plus().NetworkPolicy)(this, 'RedisNetworkPolicy', {
        metadata: { name: `${redisName}-clients`, namespace: ownNamespace },
        selector: plus().Pods.select(this, 'RedisPods', { labels: { ...redisPodLabels } }),
        ingress: { rules: [{ peer: service, ports: [plus().NetworkPolicyPort.tcp(REDIS_PORT)] }] },
      });
    }
    const key = `${namespace}/${JSON.stringify(Object.entries(podLabels).sort())}`;
    if (this.clients.has(key)) return;
    this.clients.add(key);
    const clients = plus().Pods.select(this, `Clients${this.clients.size}`, {
      labels: { ...podLabels },
      namespaces: plus().Namespaces.select(this, `ClientNamespace${this.clients.size}`, { names: [namespace] }),
    });
    this._clientsPolicy.addIngressRule(clients, [plus().NetworkPolicyPort.tcp(GRPC_CONTAINER_PORT)]);
  }
}
