/**
 * The platform components, each declared once: what it is, its version, the pinned files it is built from, and the
 * CRDs the validator knows it by. The stack's charts, `LlmServingStack.requiredArtifacts`, the validator's pinned
 * CRDs, destroy's notion of "shared platform" and the platform table of docs/platform.md all derive from this list (the
 * constructs that build each component are mapped to these ids in `lib/platform/platform-components.ts`).
 */
import {
  AGENTGATEWAY_CRDS, CERT_MANAGER_MANIFEST, GATEWAY_API_EXPERIMENTAL, GATEWAY_API_STANDARD, INFERENCE_EXTENSION_CRDS,
  KSERVE_CLUSTER_RESOURCES, KSERVE_MANIFEST, UpstreamArtifact, VERSIONS,
} from './artifacts';

/** The id of a platform component; also its chart's id and the suffix of its file in dist/. */
export type PlatformComponentId = 'gateway-api' | 'inference-extension' | 'agentgateway' | 'cert-manager' | 'kserve' | 'ratelimit';

/** What the project knows of one platform component, without building it. */
export interface PlatformComponentInfo {
  /** Id, chart id and dist/ file suffix, e.g. `cert-manager` → `0002-cert-manager.k8s.yaml`. */
  readonly id: PlatformComponentId;
  /** The key of its props in `PlatformProps`, e.g. `certManager`. */
  readonly propsKey: 'gatewayApi' | 'inferenceExtension' | 'agentgateway' | 'certManager' | 'kserve' | 'rateLimitService';
  /** Display name. */
  readonly title: string;
  /** Upstream release. */
  readonly version: string;
  /** Where its objects come from, for the platform table. */
  readonly source: string;
  /** How it is pinned, for the platform table. */
  readonly pinnedBy: string;
  /** The props that leave it out, for the platform table. */
  readonly turnOff: string;
  /** Every pinned file any configuration of it may read. */
  readonly artifacts: readonly UpstreamArtifact[];
  /** The files whose CRDs the validator knows without seeing them in its input. */
  readonly schemaArtifacts: readonly UpstreamArtifact[];
  /** Left out unless its props are set (the rest are in unless set to `false`). @default false */
  readonly optIn?: boolean;
}

/** The platform, in apply order. */
export const PLATFORM_COMPONENTS: readonly PlatformComponentInfo[] = [
  {
    id: 'gateway-api',
    propsKey: 'gatewayApi',
    title: 'Gateway API CRDs',
    version: VERSIONS.gatewayApi,
    source: '`config/crd/standard/*.yaml` at the tag (`channel: GatewayApiChannel.EXPERIMENTAL` for `config/crd/experimental/`)',
    pinnedBy: 'sha256 per file',
    turnOff: '`platform: { gatewayApi: false }`',
    artifacts: [...GATEWAY_API_STANDARD, ...GATEWAY_API_EXPERIMENTAL],
    schemaArtifacts: GATEWAY_API_STANDARD,
  },
  // Before agentgateway: its controller watches InferencePools only if the CRD exists when it starts (the guide
  // installs the bundle before agentgateway for that reason). Before KServe, which then leaves out its own copy.
  {
    id: 'inference-extension',
    propsKey: 'inferenceExtension',
    title: 'Gateway API Inference Extension CRDs',
    version: VERSIONS.inferenceExtension,
    source: '`config/crd/bases/*.yaml` at the tag: the four CRDs of the release\'s `manifests.yaml` (InferencePool v1 and three alpha kinds)',
    pinnedBy: 'sha256 per file',
    turnOff: 'off unless `platform: { inferenceExtension: {} }`; KServe then leaves out its own copy of the InferencePool CRD',
    artifacts: INFERENCE_EXTENSION_CRDS,
    schemaArtifacts: INFERENCE_EXTENSION_CRDS,
    optIn: true,
  },
  {
    id: 'agentgateway',
    propsKey: 'agentgateway',
    title: 'agentgateway',
    version: VERSIONS.agentgateway,
    source: 'CRDs: `controller/install/helm/agentgateway-crds/templates/*.yaml`; control plane: typed constructs equal to the official chart\'s render',
    pinnedBy: 'sha256 per CRD file; the constructs are tested against the chart\'s own golden render',
    turnOff: '`platform: { agentgateway: false }` (or `{ crds: false }`)',
    artifacts: AGENTGATEWAY_CRDS,
    schemaArtifacts: AGENTGATEWAY_CRDS,
  },
  {
    id: 'cert-manager',
    propsKey: 'certManager',
    title: 'cert-manager',
    version: VERSIONS.certManager,
    source: 'release asset `cert-manager.yaml`',
    pinnedBy: `sha256 \`${CERT_MANAGER_MANIFEST.sha256.slice(0, 8)}…${CERT_MANAGER_MANIFEST.sha256.slice(-4)}\``,
    turnOff: '`platform: { certManager: false }`',
    artifacts: [CERT_MANAGER_MANIFEST],
    schemaArtifacts: [CERT_MANAGER_MANIFEST],
  },
  {
    id: 'kserve',
    propsKey: 'kserve',
    title: 'KServe',
    version: VERSIONS.kserve,
    source: `\`install/${VERSIONS.kserve}/kserve.yaml\` (+ \`kserve-cluster-resources.yaml\` with \`clusterServingRuntimes: true\`, or only its LLMInferenceServiceConfigs with \`llmInferenceServiceConfigs: true\`)`,
    pinnedBy: 'sha256',
    turnOff: '`platform: { kserve: false }`',
    artifacts: [KSERVE_MANIFEST, KSERVE_CLUSTER_RESOURCES],
    schemaArtifacts: [KSERVE_MANIFEST],
  },
  {
    id: 'ratelimit',
    propsKey: 'rateLimitService',
    title: 'Rate-limit service (for tenants)',
    version: 'envoyproxy/ratelimit 1e50889b, Redis 7.4.6',
    source: 'cdk8s-plus-28 constructs (`lib/platform/rate-limit-service.ts`); images as Envoy Gateway v1.8 and mailcow pin them',
    pinnedBy: 'image tags; digests by prop (`imageDigest`, `redis.imageDigest`), required by the hardened profile',
    turnOff: 'off unless `platform: { rateLimitService: {...} }` (the tenants profile sets it)',
    artifacts: [],
    schemaArtifacts: [],
    optIn: true,
  },
];

/** The component whose chart wrote a dist/ file or phase (`0002-cert-manager` → cert-manager), if any. */
export function componentOfPhase(phase: string): PlatformComponentInfo | undefined {
  const name = phase.replace(/\.k8s\.yaml$/, '').replace(/^\d{4}-/, '');
  return PLATFORM_COMPONENTS.find(c => name === c.id || name.startsWith(`${c.id}-`));
}

/** The platform table of docs/platform.md, generated from the list (a test keeps the two equal). */
export function platformTable(): string {
  const rows = PLATFORM_COMPONENTS.map(c => `| ${c.title} | ${c.version} | ${c.source} | ${c.pinnedBy} | ${c.turnOff} |`);
  return ['| component | version | source | pinned by | turn off with |', '|---|---|---|---|---|', ...rows].join('\n');
}
