/**
 * Named sets of stack props. `guide` reproduces the agentgateway "KServe integration" guide exactly; `hardened`
 * closes the ways around the token budget that `npm run validate` reports (README: threat model), using only props
 * that any user of the constructs can set one by one.
 */
import { RESTRICTED_CONTAINER, ModelVisibility } from './app/inference-service';
import { AllowedRoutes } from './app/ingress-gateway';
import { LlmServingStackProps } from './stack';

/** The label the hardened profile puts on model namespaces; its gateway admits routes only from those. */
export const MODEL_NAMESPACE_LABEL: Readonly<Record<string, string>> = { 'kserve-agentgateway-stack.io/models': 'true' };

/** Options for {@link hardenedProfile}. */
export interface HardenedProfileOptions {
  /**
   * Digest of the model image to run (`sha256:…`). httpbun publishes only mutable tags (`latest`, `master`), so the
   * hardened profile cannot pin it for you: take the digest of the image you reviewed, e.g. with
   * `crane digest sharat87/httpbun:latest` or `docker buildx imagetools inspect sharat87/httpbun:latest`.
   */
  readonly modelImageDigest: string;
}

/** The hardened profile's props. */
export function hardenedProfile(options: HardenedProfileOptions): LlmServingStackProps {
  return {
    // Only namespaces the stack labels may attach routes: nobody else can claim a model's hostname.
    gateway: { allowedRoutes: AllowedRoutes.fromNamespacesLabelled({ ...MODEL_NAMESPACE_LABEL }) },
    modelNamespaceLabels: { ...MODEL_NAMESPACE_LABEL },
    models: [{
      inferenceService: {
        // KServe generates no routes: the budgeted AI route is the only way in through the gateway.
        visibility: ModelVisibility.CLUSTER_LOCAL,
        imageDigest: options.modelImageDigest,
        // Non-root cannot bind port 80; httpbun listens where HTTPBUN_BIND says. KServe's Service still listens on 80.
        containerPort: 8080,
        env: { HTTPBUN_BIND: '0.0.0.0:8080' },
        securityContext: RESTRICTED_CONTAINER,
      },
      // Pods in the cluster cannot call the predictor around the gateway.
      networkPolicy: true,
    }],
    platform: {
      agentgateway: { resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } } },
    },
  };
}

/** The profiles `npm run synth -- --profile NAME` knows. */
export const PROFILES = ['guide', 'hardened'] as const;
/** A profile name. */
export type ProfileName = typeof PROFILES[number];
