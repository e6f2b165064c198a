import { Construct } from 'constructs';
import type * as gwr from '../../imports/httproute';
import { httpRouteImport } from '../shared/imports';
import { checkProps, skipIfProblems, DNS1123_LABEL_RULE, DNS1123_SUBDOMAIN_RULE, HOSTNAME_RULE, isDns1123Label, isDns1123Subdomain, isHostname, PropErrors } from '../shared/validation';
import { ensureUniqueObjects } from '../shared/unique-objects';
import { AiBackend } from './ai-backend';
import { IHttpRouteRef } from './http-route-ref';
import { IGateway } from './ingress-gateway';

/** What can be set on an {@link AiRoute} besides its backend and gateway. */
export interface AiRouteOptions {
  /**
   * Route name.
   * @default '<inference service name>-ai', else '<backend name>-route'
   */
  readonly name?: string;
  /**
   * Route namespace.
   * @default - the backend's namespace
   */
  readonly namespace?: string;
  /**
   * Host names the route answers; by default the same host KServe gives its generated route, so clients use one
   * address and the longer path prefix wins for LLM traffic.
   * @default - [the inference service's hostname]
   */
  readonly hostnames?: string[];
  /**
   * Path prefix routed to the backend.
   * @default - the backend's path
   */
  readonly pathPrefix?: string;
  /**
   * Labels of the route's namespace, used to check that the gateway admits the route.
   * @default {}
   */
  readonly namespaceLabels?: Record<string, string>;
}

/** Props for {@link AiRoute}. */
export interface AiRouteProps extends AiRouteOptions {
  /** The AI backend the route sends traffic to. */
  readonly backend: AiBackend;
  /** The gateway the route attaches to: one of this app's, or one imported with `IngressGateway.fromGatewayAttributes`. */
  readonly gateway: IGateway;
}

/**
 * The companion HTTPRoute that sends LLM traffic through an {@link AiBackend}: token budgets apply only to
 * traffic on such a route.
 */
export class AiRoute extends Construct implements IHttpRouteRef {
  /** Route name. */
  public readonly routeName!: string;
  /** Route namespace. */
  public readonly routeNamespace!: string;
  /** Host names. */
  public readonly hostnames!: readonly string[];
  /** Path prefix. */
  public readonly pathPrefix!: string;
  /** The generated HTTPRoute object. */
  public readonly apiObject!: gwr.HttpRoute;

  constructor(scope: Construct, id: string, props: AiRouteProps) {
    super(scope, id);
    if (!checkProps('AiRoute', this, props, ['backend', 'gateway'])) return;
    if (skipIfProblems(this, props.backend, props.gateway)) return;
    ensureUniqueObjects(this);
    const { backend, gateway } = props;
    const isvc = backend.inferenceService;
    this.routeName = props.name ?? (isvc ? `${isvc.name}-ai` : `${backend.name}-route`);
    this.routeNamespace = props.namespace ?? backend.namespace;
    this.hostnames = props.hostnames ?? (isvc ? [isvc.hostname] : []);
    this.pathPrefix = props.pathPrefix ?? backend.path;

    const errors = new PropErrors('AiRoute', this)
      .check(isDns1123Subdomain(this.routeName), 'name', this.routeName, DNS1123_SUBDOMAIN_RULE)
      .check(isDns1123Label(this.routeNamespace), 'namespace', this.routeNamespace, DNS1123_LABEL_RULE)
      .check(this.hostnames.length > 0, 'hostnames', this.hostnames, 'at least one host name (the backend has no inference service to take it from)')
      .check(typeof this.pathPrefix === 'string' && this.pathPrefix.startsWith('/'), 'pathPrefix', this.pathPrefix, 'an absolute path starting with "/"');
    this.hostnames.forEach((h, i) => errors.check(isHostname(h), `hostnames[${i}]`, h, HOSTNAME_RULE));
    errors.check(gateway.admitsRoutesFrom(this.routeNamespace, props.namespaceLabels), 'namespace', this.routeNamespace,
      `a namespace that Gateway ${gateway.qualifiedName} admits (it admits ${gateway.allowedRoutes.describe()}); ` +
      'move the route or widen the gateway\'s allowedRoutes');
    errors.check(backend.namespace === this.routeNamespace, 'namespace', this.routeNamespace,
      `the backend's namespace "${backend.namespace}" (a cross-namespace backendRef needs a ReferenceGrant)`);
    if (errors.report()) return;

    this.apiObject = new (httpRouteImport().HttpRoute)(this, 'Resource', {
      metadata: { name: this.routeName, namespace: this.routeNamespace },
      spec: {
        parentRefs: [{
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          name: gateway.name,
          namespace: gateway.namespace,
          ...(gateway.sectionName ? { sectionName: gateway.sectionName } : {}),
        }],
        hostnames: [...this.hostnames],
        rules: [{
          matches: [{ path: { type: httpRouteImport().HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: this.pathPrefix } }],
          backendRefs: [{
            name: backend.name,
            namespace: backend.namespace,
            group: 'agentgateway.dev',
            kind: 'AgentgatewayBackend',
          }],
        }],
      },
    });
  }
}
