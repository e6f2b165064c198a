import { Chart, Names } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as gw from '../../imports/gateway';
import { checkLabels, checkProps, DNS1123_LABEL_RULE, DNS1123_SUBDOMAIN_RULE, isDns1123Label, isDns1123Subdomain, isPort, PropErrors } from '../shared/validation';
import { ensureUniqueObjects } from '../shared/unique-objects';

/** Which namespaces may attach routes to the gateway's listener. */
export class AllowedRoutes {
  /** Routes from every namespace (the guide's choice: KServe creates routes in each model's namespace). */
  public static all(): AllowedRoutes {
    return new AllowedRoutes('All');
  }

  /** Only routes in the gateway's own namespace. */
  public static sameNamespace(): AllowedRoutes {
    return new AllowedRoutes('Same');
  }

  /** Only routes in namespaces that carry all these labels. */
  public static fromNamespacesLabelled(labels: Record<string, string>): AllowedRoutes {
    return new AllowedRoutes('Selector', { ...labels });
  }

  private constructor(
    /** Gateway API `allowedRoutes.namespaces.from`. */
    public readonly from: 'All' | 'Same' | 'Selector',
    /** The namespace labels required with `Selector`. */
    public readonly matchLabels?: Readonly<Record<string, string>>,
  ) {}

  /**
   * Whether a route in `routeNamespace` (with `namespaceLabels`) may attach to a gateway in `gatewayNamespace`.
   */
  public admits(routeNamespace: string, gatewayNamespace: string, namespaceLabels: Record<string, string> = {}): boolean {
    switch (this.from) {
      case 'All': return true;
      case 'Same': return routeNamespace === gatewayNamespace;
      case 'Selector': return Object.entries(this.matchLabels ?? {}).every(([k, v]) => namespaceLabels[k] === v);
    }
  }

  /** Describes the rule in words, for error messages. */
  public describe(): string {
    switch (this.from) {
      case 'All': return 'routes from all namespaces';
      case 'Same': return 'routes from its own namespace only';
      case 'Selector': return `routes from namespaces labelled ${JSON.stringify(this.matchLabels)}`;
    }
  }

  /** @internal */
  public _toSpec(): gw.GatewaySpecListenersAllowedRoutes {
    return {
      namespaces: {
        from: this.from as gw.GatewaySpecListenersAllowedRoutesNamespacesFrom,
        ...(this.matchLabels ? { selector: { matchLabels: { ...this.matchLabels } } } : {}),
      },
    };
  }
}

/** A Gateway routes and policies can attach to: one this app defines ({@link IngressGateway}) or one it imports. */
export interface IGateway extends IConstruct {
  /** Gateway name. */
  readonly name: string;
  /** Gateway namespace. */
  readonly namespace: string;
  /**
   * The listener routes name in `parentRefs[].sectionName`, or undefined when they attach to the gateway as a whole
   * (every listener that admits them).
   */
  readonly sectionName?: string;
  /** Labels the gateway's proxy pods carry (what a NetworkPolicy selects them by). */
  readonly proxyLabels: Readonly<Record<string, string>>;
  /** `<namespace>/<name>`, the form KServe's `ingress.kserveIngressGateway` setting takes. */
  readonly qualifiedName: string;
  /** Which namespaces the listener admits routes from (as far as the app knows). */
  readonly allowedRoutes: AllowedRoutes;
  /** Whether a route in `namespace` (with these namespace labels) may attach to the gateway. */
  admitsRoutesFrom(namespace: string, namespaceLabels?: Record<string, string>): boolean;
}

/** What the app needs to know of a Gateway it does not define. */
export interface GatewayAttributes {
  /** Gateway name. */
  readonly name: string;
  /** Gateway namespace. */
  readonly namespace: string;
  /**
   * Name of the listener routes attach to (`parentRefs[].sectionName`), for a gateway with several.
   * @default - none: routes attach to the gateway as a whole, i.e. to every listener that admits them
   */
  readonly listenerName?: string;
  /**
   * Labels the gateway's proxy pods carry.
   * @default { 'gateway.networking.k8s.io/gateway-name': name } (the label GEP-1762 asks in-cluster implementations to put on what they deploy for a Gateway)
   */
  readonly proxyLabels?: Record<string, string>;
  /**
   * Which namespaces the listener admits routes from, when known: routes from other namespaces are then refused
   * when the app is built, not when they fail to attach.
   * @default AllowedRoutes.all() (nothing is checked)
   */
  readonly allowedRoutes?: AllowedRoutes;
}

/** Props for {@link IngressGateway}. */
export interface IngressGatewayProps {
  /**
   * Name of the Gateway. KServe attaches its generated HTTPRoutes to the gateway named in its
   * `ingress.kserveIngressGateway` setting (`LlmServingStack` keeps the two equal).
   * @default - derived from the construct path
   */
  readonly name?: string;
  /**
   * Namespace of the Gateway.
   * @default - the chart's namespace, else 'default'
   */
  readonly namespace?: string;
  /**
   * GatewayClass that programs the gateway; agentgateway's controller owns class `agentgateway`.
   * @default 'agentgateway'
   */
  readonly gatewayClassName?: string;
  /**
   * Name of the HTTP listener (routes may target it as `sectionName`).
   * @default 'http'
   */
  readonly listenerName?: string;
  /**
   * Port of the HTTP listener.
   * @default 80
   */
  readonly port?: number;
  /**
   * Which namespaces may attach routes to the listener.
   * @default AllowedRoutes.all()
   */
  readonly allowedRoutes?: AllowedRoutes;
  /**
   * The Gateway's `spec.infrastructure.labels`: agentgateway puts them on the proxy Deployment, Service, ServiceAccount
   * and pods it creates for this gateway (agentgateway@v1.4.1:controller/pkg/helm/agentgateway/templates/_helpers.tpl,
   * `gatewayLabels`), so NetworkPolicies select the proxy by them. KServe's llmisvc setups label the gateway
   * `serving.kserve.io/gateway: <gateway name>` (kserve@v0.20.0:hack/setup/infra/gateway-api/manage.gateway-api-gw.sh,
   * and the LLMInferenceService guide's Gateway). At least one label; keys and values as Kubernetes accepts them.
   * @default { 'serving.kserve.io/gateway': <name> } (the label KServe's own gateway carries)
   */
  readonly infrastructureLabels?: Record<string, string>;
}

/**
 * The ingress Gateway that fronts every model: one HTTP listener, programmed by agentgateway, to which KServe
 * and the AI routes attach.
 */
export class IngressGateway extends Construct implements IGateway {
  /**
   * A Gateway this app does not define (a platform team's shared gateway, say), by name and namespace. Models and
   * routes attach to it like to one of their own; nothing is emitted for it.
   */
  public static fromGatewayAttributes(scope: Construct, id: string, attrs: GatewayAttributes): IGateway {
    return new ImportedGateway(scope, id, attrs);
  }

  /** Gateway name. */
  public readonly name: string;
  /** Gateway namespace. */
  public readonly namespace: string;
  /** HTTP listener name. */
  public readonly listenerName: string;
  /** HTTP listener port. */
  public readonly port: number;
  /** Which namespaces may attach routes. */
  public readonly allowedRoutes: AllowedRoutes;
  /** Labels on the proxy workload agentgateway deploys for this gateway. */
  public readonly infrastructureLabels: Readonly<Record<string, string>>;
  /** The generated Gateway object. */
  public readonly apiObject: gw.Gateway;

  constructor(scope: Construct, id: string, props: IngressGatewayProps = {}) {
    super(scope, id);
    checkProps('IngressGateway', this, props);
    ensureUniqueObjects(this);
    this.name = props.name ?? Names.toDnsLabel(this);
    this.namespace = props.namespace ?? Chart.of(this).namespace ?? 'default';
    this.listenerName = props.listenerName ?? 'http';
    this.port = props.port ?? 80;
    this.allowedRoutes = props.allowedRoutes ?? AllowedRoutes.all();
    this.infrastructureLabels = props.infrastructureLabels ?? { 'serving.kserve.io/gateway': this.name };
    const gatewayClassName = props.gatewayClassName ?? 'agentgateway';

    const errors = new PropErrors('IngressGateway', this)
      .check(isDns1123Subdomain(this.name), 'name', this.name, DNS1123_SUBDOMAIN_RULE)
      .check(isDns1123Label(this.namespace), 'namespace', this.namespace, DNS1123_LABEL_RULE)
      .check(isDns1123Subdomain(gatewayClassName), 'gatewayClassName', gatewayClassName, DNS1123_SUBDOMAIN_RULE)
      .check(isDns1123Label(this.listenerName), 'listenerName', this.listenerName, DNS1123_LABEL_RULE)
      .check(isPort(this.port), 'port', this.port, 'a whole number from 1 to 65535');
    checkLabels(errors, 'infrastructureLabels', this.infrastructureLabels)
      // They are the proxy's pod selector in NetworkPolicies: an empty one would select every pod of the namespace.
      .check(Object.keys(this.infrastructureLabels ?? {}).length > 0, 'infrastructureLabels', this.infrastructureLabels,
        'at least one label (NetworkPolicies select the proxy pods by them)')
      .throwIfAny();

    this.apiObject = new gw.Gateway(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        gatewayClassName,
        listeners: [{
          name: this.listenerName,
          protocol: 'HTTP',
          port: this.port,
          allowedRoutes: this.allowedRoutes._toSpec(),
        }],
        infrastructure: { labels: { ...this.infrastructureLabels } },
      },
    });
  }

  /** Routes attach to the gateway as a whole: it has one listener. */
  public get sectionName(): string | undefined {
    return undefined;
  }

  /** Labels the proxy pods carry. */
  public get proxyLabels(): Readonly<Record<string, string>> {
    return this.infrastructureLabels;
  }

  /** `<namespace>/<name>`, the form KServe's `ingress.kserveIngressGateway` setting takes. */
  public get qualifiedName(): string {
    return `${this.namespace}/${this.name}`;
  }

  /** Whether a route in `namespace` (with these namespace labels) may attach to this gateway. */
  public admitsRoutesFrom(namespace: string, namespaceLabels: Record<string, string> = {}): boolean {
    return this.allowedRoutes.admits(namespace, this.namespace, namespaceLabels);
  }
}

/** A Gateway known by its attributes only. */
class ImportedGateway extends Construct implements IGateway {
  public readonly name: string;
  public readonly namespace: string;
  public readonly sectionName?: string;
  public readonly proxyLabels: Readonly<Record<string, string>>;
  public readonly allowedRoutes: AllowedRoutes;

  constructor(scope: Construct, id: string, attrs: GatewayAttributes) {
    super(scope, id);
    this.name = attrs.name;
    this.namespace = attrs.namespace;
    this.sectionName = attrs.listenerName;
    this.proxyLabels = { ...(attrs.proxyLabels ?? { 'gateway.networking.k8s.io/gateway-name': attrs.name }) };
    this.allowedRoutes = attrs.allowedRoutes ?? AllowedRoutes.all();
    new PropErrors('IngressGateway.fromGatewayAttributes', this)
      .check(isDns1123Subdomain(this.name), 'name', this.name, DNS1123_SUBDOMAIN_RULE)
      .check(isDns1123Label(this.namespace), 'namespace', this.namespace, DNS1123_LABEL_RULE)
      .check(attrs.listenerName === undefined || isDns1123Label(attrs.listenerName), 'listenerName', attrs.listenerName, DNS1123_LABEL_RULE)
      .check(Object.keys(this.proxyLabels).length > 0, 'proxyLabels', attrs.proxyLabels, 'at least one label')
      .throwIfAny();
  }

  public get qualifiedName(): string {
    return `${this.namespace}/${this.name}`;
  }

  public admitsRoutesFrom(namespace: string, namespaceLabels: Record<string, string> = {}): boolean {
    return this.allowedRoutes.admits(namespace, this.namespace, namespaceLabels);
  }
}
