/**
 * The hardened profile: a function of the user's stack props that keeps every model, gateway and platform choice
 * and adds what closes the ways around the token budget that `npm run validate` reports (README: threat model),
 * for every model, using only props any user of the constructs can also set one by one.
 */
import { ContainerSecurity, ModelVisibility, RESTRICTED_CONTAINER } from '../app/inference-service';
import { AllowedRoutes } from '../app/ingress-gateway';
import { MeteredLlmOptions } from '../app/metered-llm';
import { MeteredModelOptions } from '../app/metered-model';
import type { LlmServingStackProps } from '../stack';
import { show } from '../shared/validation';

/** The label the hardened profile puts on model namespaces; its gateway admits routes only from those. */
export const MODEL_NAMESPACE_LABEL: Readonly<Record<string, string>> = { 'kserve-agentgateway-stack.io/models': 'true' };

/** Options for {@link hardenedProfile}. */
export interface HardenedProfileOptions {
  /**
   * Digest (`sha256:…`) of the image of every model that does not pin its own (`inferenceService.imageDigest`, or
   * `modelImageDigests`). Take the digest of the image you reviewed, e.g. with `crane digest <image>`.
   * @default - none: every model must then pin its image some other way
   */
  readonly modelImageDigest?: string;
  /**
   * Digests by model (InferenceService or LLMInferenceService) name, for stacks whose models run different images.
   * @default {}
   */
  readonly modelImageDigests?: Readonly<Record<string, string>>;
  /**
   * Digests of the rate-limit service's images (`imageDigest`, `redisImageDigest`), required when the stack runs it.
   * @default - none: the service's own props must pin them
   */
  readonly rateLimitImageDigest?: string;
  /** See `rateLimitImageDigest`. @default - none */
  readonly redisImageDigest?: string;
}

/** agentgateway controller resources the profile sets when the user set none (limits are what SEC006 asks for). */
const CONTROLLER_RESOURCES = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } };

/**
 * `props`, hardened: models are cluster-local (KServe generates no routes around the budgeted one), pinned by
 * digest, run restricted containers behind a NetworkPolicy that admits only the gateway proxy, and live in
 * labelled namespaces that the stack's gateway alone admits routes from; the agentgateway controller gets limits.
 * Throws, listing every model, when a model cannot be hardened as it stands (no digest, a privileged port, no
 * resource limits).
 */
export function hardenedProfile(props: LlmServingStackProps, options: HardenedProfileOptions = {}): LlmServingStackProps {
  if (props === null || typeof props !== 'object') throw new Error(`hardenedProfile: props must be the stack's props (an object), got ${show(props)}`);
  const notModels = (props.models ?? []).map((m, i) => (m === null || typeof m !== 'object' ? `models[${i}] must be a model's options (an object with inferenceService), got ${show(m)}` : undefined)).filter(Boolean);
  if (notModels.length > 0) throw new Error(`hardenedProfile: ${notModels.join('; ')}`);
  const notLlms = (props.llms ?? []).map((m, i) => (m === null || typeof m !== 'object' ? `llms[${i}] must be an LLM's options (an object with llmInferenceService), got ${show(m)}` : undefined)).filter(Boolean);
  if (notLlms.length > 0) throw new Error(`hardenedProfile: ${notLlms.join('; ')}`);
  const problems: string[] = [];
  const models = (props.models ?? []).map((m, i) => hardenModel(m, i, options, problems));
  const llms = (props.llms ?? []).map((m, i) => hardenLlm(m, i, options, problems));
  const rls = props.platform?.rateLimitService;
  const rateLimitService = rls ? { ...rls, imageDigest: rls.imageDigest ?? options.rateLimitImageDigest, redis: { ...rls.redis, imageDigest: rls.redis?.imageDigest ?? options.redisImageDigest } } : rls;
  if (rateLimitService && !rateLimitService.imageDigest) problems.push('platform.rateLimitService: pin envoyproxy/ratelimit by digest: pass rateLimitImageDigest (CLI: --ratelimit-image-digest, or RATELIMIT_IMAGE_DIGEST) or set imageDigest (`crane digest docker.io/envoyproxy/ratelimit:1e50889b`)');
  if (rateLimitService && !rateLimitService.redis.imageDigest) problems.push('platform.rateLimitService: pin Redis by digest: pass redisImageDigest (CLI: --redis-image-digest, or REDIS_IMAGE_DIGEST) or set redis.imageDigest (`crane digest docker.io/library/redis:7.4.6-alpine`)');
  if (problems.length > 0) {
    throw new Error(`hardened profile: ${problems.length} problem${problems.length > 1 ? 's' : ''}:\n${problems.map(p => `  - ${p}`).join('\n')}`);
  }
  const agentgateway = props.platform?.agentgateway;
  return {
    ...props,
    // Only namespaces the stack labels may attach routes: nobody else can claim a model's hostname. An existing
    // gateway is the platform team's to configure; the stack leaves it as it is.
    ...(props.existingGateway ? {} : { gateway: { ...props.gateway, allowedRoutes: restrictRoutes(props.gateway?.allowedRoutes) } }),
    modelNamespaceLabels: { ...props.modelNamespaceLabels, ...MODEL_NAMESPACE_LABEL },
    models,
    ...(props.llms ? { llms } : {}),
    platform: {
      ...props.platform,
      ...(agentgateway === false ? {} : { agentgateway: { ...agentgateway, resources: agentgateway?.resources ?? CONTROLLER_RESOURCES } }),
      ...(rateLimitService ? { rateLimitService } : {}),
    },
  };
}

function restrictRoutes(current: AllowedRoutes | undefined): AllowedRoutes {
  if (current?.from === 'Same') return current;
  return AllowedRoutes.fromNamespacesLabelled({ ...(current?.from === 'Selector' ? current.matchLabels : {}), ...MODEL_NAMESPACE_LABEL });
}

function hardenModel(model: MeteredModelOptions, index: number, options: HardenedProfileOptions, problems: string[]): MeteredModelOptions {
  const isvc = model.inferenceService;
  const where = `models[${index}] (${isvc.name})`;
  const digest = isvc.imageDigest ?? options.modelImageDigests?.[isvc.name] ?? options.modelImageDigest;
  if (!digest && !isvc.image.includes('@')) {
    problems.push(`${where}: the image must be pinned by digest; pass modelImageDigest (CLI: --model-image-digest sha256:<64 hex>, ` +
      'or MODEL_IMAGE_DIGEST) or set inferenceService.imageDigest, with the digest of the image you reviewed (`crane digest <image>`)');
  }
  const port = isvc.containerPort ?? 8080;
  if (port < 1024) {
    problems.push(`${where}: containerPort ${port} needs root, and the restricted container runs as non-root; make the server listen on ` +
      'a port from 1024 up and set containerPort to it (the predictor Service still listens on 80)');
  }
  if (!isvc.resources?.limits?.cpu || !isvc.resources?.limits?.memory) {
    problems.push(`${where}: set inferenceService.resources.limits.cpu and .memory: without limits one model can starve the node`);
  }
  const securityContext: ContainerSecurity = { ...RESTRICTED_CONTAINER, runAsUser: isvc.securityContext?.runAsUser ?? RESTRICTED_CONTAINER.runAsUser };
  return {
    ...model,
    inferenceService: {
      ...isvc,
      // KServe generates no routes: the budgeted AI route is the only way in through the gateway.
      visibility: ModelVisibility.CLUSTER_LOCAL,
      ...(digest && !isvc.image.includes('@') ? { imageDigest: digest } : {}),
      securityContext,
    },
    // Pods in the cluster cannot call the predictor around the gateway.
    networkPolicy: true,
  };
}

/**
 * An LLM, hardened: pinned by digest, a restricted container with limits, behind a NetworkPolicy that admits only the
 * gateway proxy and its endpoint picker. KServe's generated route is already replaced by the budgeted one when
 * metered; a pool-routed LLM has no budget to get around.
 */
function hardenLlm(llm: MeteredLlmOptions, index: number, options: HardenedProfileOptions, problems: string[]): MeteredLlmOptions {
  const svc = llm.llmInferenceService;
  const where = `llms[${index}] (${svc?.name})`;
  const container = svc?.container;
  if (!container) {
    problems.push(`${where}: set llmInferenceService.container (image, port, resources): the profile hardens the model server container it knows; ` +
      'a pod template of your own (`template`) must be hardened in it');
    return llm;
  }
  const digest = container.imageDigest ?? options.modelImageDigests?.[svc.name] ?? options.modelImageDigest;
  if (!digest && !container.image.includes('@')) {
    problems.push(`${where}: the image must be pinned by digest; pass modelImageDigest (CLI: --model-image-digest sha256:<64 hex>, ` +
      'or MODEL_IMAGE_DIGEST) or set llmInferenceService.container.imageDigest, with the digest of the image you reviewed (`crane digest <image>`)');
  }
  if ((container.port ?? 8000) < 1024) {
    problems.push(`${where}: port ${container.port} needs root, and the restricted container runs as non-root; make the server listen on a port from 1024 up`);
  }
  if (!container.resources?.limits?.cpu || !container.resources?.limits?.memory) {
    problems.push(`${where}: set llmInferenceService.container.resources.limits.cpu and .memory: without limits one model can starve the node`);
  }
  const securityContext: ContainerSecurity = { ...RESTRICTED_CONTAINER, runAsUser: container.securityContext?.runAsUser ?? RESTRICTED_CONTAINER.runAsUser };
  return {
    ...llm,
    llmInferenceService: {
      ...svc,
      container: { ...container, ...(digest && !container.image.includes('@') ? { imageDigest: digest } : {}), securityContext },
    },
    // Pods in the cluster cannot call the model servers around the gateway.
    networkPolicy: true,
  };
}
