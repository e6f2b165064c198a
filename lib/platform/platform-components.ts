/**
 * The constructs behind each platform component of `lib/upstream/components.ts`, keyed by its id: what it reads and
 * how it is built. The stack walks the component list and calls these; nothing else names the components.
 */
import { Construct } from 'constructs';
import { PLATFORM_COMPONENTS, PlatformComponentId } from '../upstream/components';
import { UpstreamArtifact } from '../upstream/artifacts';
import { UpstreamResolver } from '../upstream/resolver';
import { Agentgateway, agentgatewayArtifacts, AgentgatewayOptions } from './agentgateway';
import { CertManager, certManagerArtifacts, CertManagerOptions } from './cert-manager';
import { GatewayApiCrds, gatewayApiArtifacts, GatewayApiCrdsOptions } from './gateway-api-crds';
import { InferenceExtensionCrds, inferenceExtensionArtifacts, InferenceExtensionCrdsOptions } from './inference-extension-crds';
import { KServe, kserveArtifacts, KServeIngressConfig, KServeOptions } from './kserve';
import { RateLimitService, RateLimitServiceProps } from './rate-limit-service';

/** The platform components under the models; `false` leaves one out (the cluster already has it). */
export interface PlatformProps {
  /**
   * Gateway API CRDs v1.6.1.
   * @default - the standard channel
   */
  readonly gatewayApi?: GatewayApiCrdsOptions | false;
  /**
   * Gateway API Inference Extension CRDs v1.5.0 (InferencePool and its alpha companions), applied before agentgateway
   * so its controller watches InferencePools; KServe then leaves out its own copy of the InferencePool CRD. Needed by
   * LLMInferenceServices; pair it with `agentgateway: { inferenceExtension: true }`.
   * @default - not included
   */
  readonly inferenceExtension?: InferenceExtensionCrdsOptions | false;
  /**
   * agentgateway v1.4.1: CRDs, namespace `agentgateway-system` and control plane.
   * @default - as the official chart installs it with default values
   */
  readonly agentgateway?: AgentgatewayOptions | false;
  /**
   * cert-manager v1.21.1 from its release manifest.
   * @default - included
   */
  readonly certManager?: CertManagerOptions | false;
  /**
   * KServe v0.20.0 in Standard mode with Gateway API ingress through the stack's gateway.
   * @default - Standard mode, Gateway API ingress through the stack's gateway
   */
  readonly kserve?: KServeOptions | false;
  /**
   * envoyproxy/ratelimit and Redis in namespace `ratelimit`: the shared counters of tenant budgets.
   * @default - not included
   */
  readonly rateLimitService?: RateLimitServiceProps | false;
}

/** What building a component may need from the rest of the stack. */
export interface PlatformContext {
  /** Where upstream files are read from. */
  readonly resolver?: UpstreamResolver;
  /** KServe's ingress settings the stack derives (its gateway, the ingress domain). */
  readonly kserveIngress: KServeIngressConfig;
  /** The Inference Extension CRDs, when that component is included (it is built before KServe). */
  readonly inferenceExtension?: InferenceExtensionCrds;
}

/** One built platform component. */
export type PlatformConstruct = GatewayApiCrds | InferenceExtensionCrds | Agentgateway | CertManager | KServe | RateLimitService;

interface ComponentBinding {
  artifacts(props: any): UpstreamArtifact[];
  build(scope: Construct, props: any, context: PlatformContext): PlatformConstruct;
}

const BINDINGS: Record<PlatformComponentId, ComponentBinding> = {
  'gateway-api': {
    artifacts: gatewayApiArtifacts,
    build: (scope, props: GatewayApiCrdsOptions, { resolver }) => new GatewayApiCrds(scope, 'Crds', { ...props, resolver }),
  },
  'inference-extension': {
    artifacts: () => inferenceExtensionArtifacts(),
    build: (scope, props: InferenceExtensionCrdsOptions, { resolver }) => new InferenceExtensionCrds(scope, 'Crds', { ...props, resolver }),
  },
  'agentgateway': {
    artifacts: agentgatewayArtifacts,
    build: (scope, props: AgentgatewayOptions, { resolver }) => new Agentgateway(scope, 'Agentgateway', { ...props, resolver }),
  },
  'cert-manager': {
    artifacts: () => certManagerArtifacts(),
    build: (scope, props: CertManagerOptions, { resolver }) => new CertManager(scope, 'CertManager', { ...props, resolver }),
  },
  'kserve': {
    artifacts: kserveArtifacts,
    build: (scope, props: KServeOptions, { resolver, kserveIngress, inferenceExtension }) => new KServe(scope, 'KServe', {
      ...props,
      resolver,
      ingress: { ...kserveIngress, ...props.ingress },
      // Each CRD once in dist/: the Inference Extension's, applied first, is the definition the cluster keeps.
      ...(inferenceExtension ? { crdsProvidedElsewhere: [...(props.crdsProvidedElsewhere ?? []), ...inferenceExtension.crdNames] } : {}),
    }),
  },
  'ratelimit': {
    artifacts: () => [],
    build: (scope, props: RateLimitServiceProps) => new RateLimitService(scope, 'RateLimitService', props),
  },
};

/** The components these props include, in apply order, with their props. */
export function includedComponents(platform: PlatformProps = {}) {
  return PLATFORM_COMPONENTS
    .filter(c => (c.optIn ? !!platform[c.propsKey] : platform[c.propsKey] !== false))
    .map(c => ({ info: c, props: (platform[c.propsKey] || {}) as object }));
}

/** The pinned files a platform with these props reads. */
export function platformArtifacts(platform: PlatformProps = {}): UpstreamArtifact[] {
  return includedComponents(platform).flatMap(({ info, props }) => BINDINGS[info.id].artifacts(props));
}

/** Builds one component into `scope`. */
export function buildComponent(id: PlatformComponentId, scope: Construct, props: object, context: PlatformContext): PlatformConstruct {
  return BINDINGS[id].build(scope, props, context);
}
