import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type * as llmisvc from '../../imports/llminferenceservice';
import { llmInferenceServiceImport } from '../shared/imports';
import { llmisvcGeneratedNames, LlmisvcGeneratedNames, llmisvcSchedulerPodLabels, llmisvcWorkloadPodLabels } from '../shared/kserve-conventions';
import { checkProps, DNS1123_LABEL_RULE, isDns1123Label, isPort, PropErrors } from '../shared/validation';
import { ensureUniqueObjects } from '../shared/unique-objects';
import { HttpRouteRef, IHttpRouteRef } from './http-route-ref';
import { checkContainerResources, computeQuantities, ContainerResources, ContainerSecurity, toSecurityContext } from './inference-service';
import { IGateway } from './ingress-gateway';
import { IInferencePoolRef, InferencePoolRef } from './inference-pool-ref';

/** The HTTPRoute spec KServe takes in `spec.router.route.http.spec` (Gateway API's HTTPRouteSpec). */
export type LlmRouteSpec = llmisvc.LlmInferenceServiceV1Alpha2SpecRouterRouteHttpSpec;
/** The pod template of the model server (`spec.template`, a PodSpec). */
export type LlmPodTemplate = llmisvc.LlmInferenceServiceV1Alpha2SpecTemplate;
/** The managed scheduler's settings (`spec.router.scheduler`). */
export type LlmSchedulerSpec = llmisvc.LlmInferenceServiceV1Alpha2SpecRouterScheduler;

/**
 * How KServe routes to an LLMInferenceService (`spec.router.route`): the HTTPRoute `<name>-kserve-route` it
 * generates, one it makes from a spec you give, or none.
 */
export class LlmRoute {
  /** KServe generates the route (`route: {}`): paths `/<namespace>/<name>/...` to the InferencePool (or the workload Service). */
  public static generated(): LlmRoute {
    return new LlmRoute({});
  }

  /**
   * KServe creates its route from this HTTPRoute spec (`route.http.spec`), e.g. to send traffic through an
   * AgentgatewayBackend; the route keeps KServe's name, `<name>-kserve-route`.
   */
  public static override(spec: LlmRouteSpec): LlmRoute {
    return new LlmRoute({ http: { spec } });
  }

  /** No route: KServe creates none, and only routes you define reach the model. */
  public static none(): LlmRoute {
    return new LlmRoute(undefined);
  }

  private constructor(
    /** The `spec.router.route` value, or undefined for none. */
    public readonly value: llmisvc.LlmInferenceServiceV1Alpha2SpecRouterRoute | undefined,
  ) {}
}

/** The model server container (`spec.template.containers[0]`). */
export interface LlmContainerOptions {
  /** Image of the model server, e.g. `ghcr.io/llm-d/llm-d-inference-sim:v0.9.0-rc3`. */
  readonly image: string;
  /**
   * Pins the image by digest (`sha256:<64 hex>`): the container runs `<image>@<digest>`.
   * @default - none: the image runs by tag
   */
  readonly imageDigest?: string;
  /**
   * Container name; KServe merges its LLMInferenceServiceConfig templates into the container named `main`.
   * @default 'main'
   */
  readonly name?: string;
  /** Entrypoint. @default - the image's */
  readonly command?: string[];
  /** Arguments. @default - the image's */
  readonly args?: string[];
  /**
   * Port the model server listens on, named `http`.
   * @default 8000 (vLLM's and llm-d's)
   */
  readonly port?: number;
  /** Container resources. @default - none: KServe's configured templates decide */
  readonly resources?: ContainerResources;
  /** Environment variables. @default - none */
  readonly env?: Record<string, string>;
  /** Security settings. @default - none; RESTRICTED_CONTAINER is the hardened choice */
  readonly securityContext?: ContainerSecurity;
}

/** The router of an LLMInferenceService: the route, the gateways it attaches to, the managed scheduler. */
export interface LlmRouterOptions {
  /**
   * The route KServe creates.
   * @default LlmRoute.generated()
   */
  readonly route?: LlmRoute;
  /**
   * Gateways the generated route attaches to (`spec.router.gateway.refs`).
   * @default - KServe's configured gateway (`ingress.kserveIngressGateway`)
   */
  readonly gateways?: IGateway[];
  /**
   * The managed scheduler: KServe creates the InferencePool `<name>-inference-pool` and runs the llm-d router's
   * endpoint picker for it; `false` for none (the route then goes to the workload Service).
   * @default `{}` (managed, with the settings of KServe's `kserve-config-llm-scheduler`)
   */
  readonly scheduler?: LlmSchedulerSpec | false;
}

/** Props for {@link LlmInferenceService}. */
export interface LlmInferenceServiceProps {
  /** Name of the LLMInferenceService; KServe derives its children's names from it (see `generatedNames`). */
  readonly name: string;
  /**
   * Namespace.
   * @default - the chart's namespace, else 'default'
   */
  readonly namespace?: string;
  /** The model: where its weights are (`uri`, e.g. `hf://org/model`) and the name it is served as. */
  readonly model: {
    /** Where the weights are, e.g. `hf://org/model` (`spec.model.uri`). */
    readonly uri: string;
    /**
     * The name the model is served as, what clients ask for in `model` (`spec.model.name`).
     * @default - the service's name
     */
    readonly name?: string;
  };
  /**
   * Model server replicas.
   * @default - KServe's (1)
   */
  readonly replicas?: number;
  /**
   * Run KServe's storage initializer, which downloads the model from `model.uri` before the server starts. Turn it
   * off for servers that fetch (or fake) the model themselves.
   * @default - KServe's (on)
   */
  readonly storageInitializer?: boolean;
  /**
   * The model server container. Set this or `template`.
   * @default - none: KServe's LLMInferenceServiceConfig templates (vLLM) run the model
   */
  readonly container?: LlmContainerOptions;
  /**
   * The whole pod template, for what `container` does not cover (the escape hatch).
   * @default - from `container`
   */
  readonly template?: LlmPodTemplate;
  /**
   * The router.
   * @default - a generated route on KServe's gateway, and the managed scheduler
   */
  readonly router?: LlmRouterOptions;
  /** Labels on the LLMInferenceService. @default - none */
  readonly labels?: Record<string, string>;
}

/**
 * A KServe LLMInferenceService (serving.kserve.io/v1alpha2) and the names of what KServe v0.20.0 creates for it:
 * the route `<name>-kserve-route`, the InferencePool `<name>-inference-pool`, the endpoint picker
 * `<name>-kserve-router-scheduler` and the workload Service `<name>-kserve-workload-svc`.
 */
export class LlmInferenceService extends Construct {
  /** Name. */
  public readonly name!: string;
  /** Namespace. */
  public readonly namespace!: string;
  /** The model name clients ask for (`model` in requests). */
  public readonly modelName!: string;
  /** The names KServe gives the objects it creates. */
  public readonly generatedNames!: LlmisvcGeneratedNames;
  /** The HTTPRoute KServe creates, when the router has a route: what a policy targets. */
  public readonly route?: IHttpRouteRef;
  /** The InferencePool KServe creates, when the scheduler is managed. */
  public readonly inferencePool?: IInferencePoolRef;
  /** Labels of the model server pods (KServe's workload selector). */
  public readonly workloadPodLabels!: Readonly<Record<string, string>>;
  /** Labels of the endpoint picker pods. */
  public readonly schedulerPodLabels!: Readonly<Record<string, string>>;
  /** The port the model server listens on, when known from `container`. */
  public readonly containerPort?: number;
  /** The generated object. */
  public readonly apiObject!: llmisvc.LlmInferenceServiceV1Alpha2;

  constructor(scope: Construct, id: string, props: LlmInferenceServiceProps) {
    super(scope, id);
    if (!checkProps('LlmInferenceService', this, props, ['name', 'model'])) return;
    ensureUniqueObjects(this);
    this.name = props.name;
    this.namespace = props.namespace ?? Chart.of(this).namespace ?? 'default';
    this.modelName = props.model?.name ?? props.name;
    const router = props.router ?? {};
    const route = router.route ?? LlmRoute.generated();
    const scheduler = router.scheduler ?? {};
    if (validate(this, props, route)) return;

    this.generatedNames = llmisvcGeneratedNames(this.name);
    if (route.value) this.route = HttpRouteRef.fromHttpRouteAttributes(this, 'Route', { name: this.generatedNames.route, namespace: this.namespace });
    if (scheduler !== false && !scheduler.pool?.ref) {
      this.inferencePool = InferencePoolRef.fromInferencePoolAttributes(this, 'InferencePool', { name: this.generatedNames.inferencePool, namespace: this.namespace });
    }
    this.workloadPodLabels = llmisvcWorkloadPodLabels(this.name);
    this.schedulerPodLabels = llmisvcSchedulerPodLabels(this.name);
    this.containerPort = props.container ? props.container.port ?? 8000 : undefined;

    const mod = llmInferenceServiceImport();
    const spec: llmisvc.LlmInferenceServiceV1Alpha2Spec = {
      model: { uri: props.model.uri, name: this.modelName },
      ...(props.replicas !== undefined ? { replicas: props.replicas } : {}),
      ...(props.storageInitializer !== undefined ? { storageInitializer: { enabled: props.storageInitializer } } : {}),
      router: {
        ...(router.gateways ? { gateway: { refs: router.gateways.map(g => ({ name: g.name, namespace: g.namespace })) } } : {}),
        ...(route.value ? { route: route.value } : {}),
        ...(scheduler !== false ? { scheduler } : {}),
      },
      ...(props.template ? { template: props.template } : props.container ? { template: templateOf(mod, props.container) } : {}),
    };
    this.apiObject = new mod.LlmInferenceServiceV1Alpha2(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace, ...(props.labels ? { labels: { ...props.labels } } : {}) },
      spec,
    });
  }
}

function templateOf(mod: typeof llmisvc, c: LlmContainerOptions): LlmPodTemplate {
  const { requests, limits } = c.resources ?? {};
  const container: llmisvc.LlmInferenceServiceV1Alpha2SpecTemplateContainers = {
    name: c.name ?? 'main',
    image: c.imageDigest ? `${c.image}@${c.imageDigest}` : c.image,
    ...(c.command ? { command: [...c.command] } : {}),
    ...(c.args ? { args: [...c.args] } : {}),
    ...(c.env ? { env: Object.entries(c.env).map(([name, value]) => ({ name, value })) } : {}),
    ports: [{ name: 'http', containerPort: c.port ?? 8000 }],
    ...(requests || limits ? {
      resources: {
        requests: computeQuantities(requests, mod.LlmInferenceServiceV1Alpha2SpecTemplateContainersResourcesRequests.fromString),
        limits: computeQuantities(limits, mod.LlmInferenceServiceV1Alpha2SpecTemplateContainersResourcesLimits.fromString),
      },
    } : {}),
    ...(c.securityContext ? { securityContext: toSecurityContext(c.securityContext) } : {}),
  };
  return { containers: [container] };
}

/** Records every problem of the props on the construct; true when there was any. */
function validate(svc: LlmInferenceService, props: LlmInferenceServiceProps, route: LlmRoute): boolean {
  const errors = new PropErrors('LlmInferenceService', svc)
    .check(isDns1123Label(svc.name), 'name', svc.name, DNS1123_LABEL_RULE)
    .check(isDns1123Label(svc.namespace), 'namespace', svc.namespace, DNS1123_LABEL_RULE)
    .check(typeof props.model === 'object' && typeof props.model.uri === 'string' && /^[a-z][a-z0-9+.-]*:\/\/\S+$/.test(props.model.uri),
      'model.uri', props.model?.uri, 'a model URI with a scheme, e.g. "hf://org/model", "s3://bucket/path" or "pvc://claim/path"')
    .check(typeof svc.modelName === 'string' && svc.modelName.length > 0, 'model.name', props.model?.name, 'a non-empty model name')
    .check(props.replicas === undefined || (Number.isInteger(props.replicas) && props.replicas >= 0), 'replicas', props.replicas, 'a whole number, 0 or more')
    .check(route instanceof LlmRoute, 'router.route', route, 'an LlmRoute: LlmRoute.generated(), LlmRoute.override(spec) or LlmRoute.none()')
    .check(!(props.container && props.template), 'template', props.template, 'unset when container is set (set one of them)');
  const c = props.container;
  if (c) {
    errors
      .check(typeof c.image === 'string' && c.image.length > 0 && !/\s/.test(c.image), 'container.image', c.image, 'a container image reference without spaces')
      .check(c.imageDigest === undefined || /^sha256:[0-9a-f]{64}$/.test(c.imageDigest), 'container.imageDigest', c.imageDigest, 'a digest "sha256:" followed by 64 lower-case hex digits')
      .check(c.imageDigest === undefined || !String(c.image).includes('@'), 'container.imageDigest', c.imageDigest, 'unset when image already names a digest')
      .check(c.name === undefined || isDns1123Label(c.name), 'container.name', c.name, DNS1123_LABEL_RULE)
      .check(c.port === undefined || isPort(c.port), 'container.port', c.port, 'a whole number from 1 to 65535')
      .check(Object.keys(c.env ?? {}).every(k => /^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(k)), 'container.env', c.env, 'names of letters, digits, "_", "-" and "." not starting with a digit');
    checkContainerResources(errors, c.resources ?? {}, 'container.resources');
  }
  return errors.report();
}
