/**
 * Every upstream file the stack reads, pinned by canonical URL and sha256.
 *
 * The digests are of the exact upstream bytes (git blobs at the tag, or the published release asset); see
 * `../shared/upstream/SOURCES.md` for how each one was checked. Bumping a version means changing the URL and
 * digest here, and nothing else in the code that reads the file.
 */

/** The upstream project an artifact belongs to. */
export type UpstreamComponent = 'gateway-api' | 'inference-extension' | 'agentgateway' | 'cert-manager' | 'kserve';

/** One pinned upstream file. */
export interface UpstreamArtifact {
  /** The upstream project. */
  readonly component: UpstreamComponent;
  /** The release tag the file belongs to. */
  readonly version: string;
  /** The canonical public URL; a mirror lays the file out as `<host>/<path>` of it. */
  readonly url: string;
  /** Hex sha256 of the exact bytes. */
  readonly sha256: string;
  /** Size in bytes, for progress messages and sanity checks. */
  readonly size: number;
}

function pin(component: UpstreamComponent, version: string, url: string, sha256: string, size: number): UpstreamArtifact {
  return { component, version, url, sha256, size };
}

/** Pinned versions of the stack. */
export const VERSIONS = {
  gatewayApi: 'v1.6.1',
  inferenceExtension: 'v1.5.0',
  agentgateway: 'v1.4.1',
  certManager: 'v1.21.1',
  kserve: 'v0.20.0',
} as const;

/** Where each project's pinned files live: its git tree or release assets at the pinned tag. */
const GATEWAY_API_TREE = `https://raw.githubusercontent.com/kubernetes-sigs/gateway-api/${VERSIONS.gatewayApi}`;
const INFERENCE_EXTENSION_TREE = `https://raw.githubusercontent.com/kubernetes-sigs/gateway-api-inference-extension/${VERSIONS.inferenceExtension}`;
const AGENTGATEWAY_TREE = `https://raw.githubusercontent.com/agentgateway/agentgateway/${VERSIONS.agentgateway}`;
const CERT_MANAGER_TREE = `https://raw.githubusercontent.com/cert-manager/cert-manager/${VERSIONS.certManager}`;
const CERT_MANAGER_RELEASE = `https://github.com/cert-manager/cert-manager/releases/download/${VERSIONS.certManager}`;
const KSERVE_TREE = `https://raw.githubusercontent.com/kserve/kserve/${VERSIONS.kserve}`;

/** Gateway API standard channel: one file per CRD under `config/crd/standard/`, plus the safe-upgrades ValidatingAdmissionPolicy that the release bundle carries. */
export const GATEWAY_API_STANDARD: readonly UpstreamArtifact[] = [
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/standard/gateway.networking.k8s.io_backendtlspolicies.yaml`,
    '0d48c9e4b53dd9510cf615b9b1192d9d7afb07a1cc0498c9515627cb1c075419', 78548),
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/standard/gateway.networking.k8s.io_gatewayclasses.yaml`,
    '53710048ba26f8620eed59d5e51b157ecf040daf5c6eef31a4b991e0808c4be5', 23255),
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/standard/gateway.networking.k8s.io_gateways.yaml`,
    '25b885f5870b8fff1ae82efa2628b2761cef3745900c2aecf8fb76629a01255a', 188714),
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/standard/gateway.networking.k8s.io_grpcroutes.yaml`,
    '53a8d029da8f07e55d3fa58a5cf6de5950dab19fbb8d6a8082fb5e51ca5ef6fc', 122702),
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/standard/gateway.networking.k8s.io_httproutes.yaml`,
    'a424a0d6c953b162e71d1d97bb7e75012d8f1ac264e7274f2763d1b96ab39852', 429088),
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/standard/gateway.networking.k8s.io_listenersets.yaml`,
    'bf4d4b02564999b2558b96e31465129895db9b3a8adfb90adb9c80eac52a3a70', 42614),
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/standard/gateway.networking.k8s.io_referencegrants.yaml`,
    '8c645e9333cfa67790cc2a53e0c00076f88b2bd4230d2b49688c78bc34f9b2c3', 14848),
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/standard/gateway.networking.k8s.io_tcproutes.yaml`,
    'd5104d0cf30e924f5e3c9e2e76abd46876401c34ca33b9e79321523eee78c7f6', 73240),
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/standard/gateway.networking.k8s.io_tlsroutes.yaml`,
    'bb8b67926e5d9652cbfd2e19063b7c1d9e78806c9dd671608f57baef2f2e3bbb', 120606),
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/standard/gateway.networking.k8s.io_udproutes.yaml`,
    '4b80684c2bf8ef4b0a2a3ab45164ac9f96258fc69912645ff50ced595b0aa6de', 73210),
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/standard/gateway.networking.k8s.io_vap_safeupgrades.yaml`,
    'afb0ea1b3cc2e9344d93b0926fbe741aeb48ab4439f9f7b4b77b9ac94faf6c2e', 2690),
];

/** Gateway API experimental channel: one file per CRD under `config/crd/experimental/`. */
export const GATEWAY_API_EXPERIMENTAL: readonly UpstreamArtifact[] = [
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/experimental/gateway.networking.k8s.io_backendtlspolicies.yaml`,
    '7fa88a1a7d5f13f8a960e8bd48903835a0b833e0f6706f401101a27ff36aff3b', 80587),
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/experimental/gateway.networking.k8s.io_gatewayclasses.yaml`,
    'ff653735d0477f97fb3cb2a21245f55ac6996dfe4f39969150f6989d0f1da826', 23259),
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/experimental/gateway.networking.k8s.io_gateways.yaml`,
    '97092d53c4f61a9d1754f608ad1dc85566e197facb35d629132ff08954bd4422', 191538),
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/experimental/gateway.networking.k8s.io_grpcroutes.yaml`,
    'edfefc338093cdef9e0e4832c8286792934d76724c41a80eee22a1be73c132c6', 134545),
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/experimental/gateway.networking.k8s.io_httproutes.yaml`,
    'a3615d380381a768edbca2cfec067c037afa82e86bc9b1e29a0b84c8a28d76b3', 530146),
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/experimental/gateway.networking.k8s.io_listenersets.yaml`,
    'e201afb91dc7c9a4e2b101243639a2b08fe6863f43a83921f97a5ca823ef6a2f', 42618),
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/experimental/gateway.networking.k8s.io_referencegrants.yaml`,
    'e1d9a270f94895640db547421dfa708db2ae935a1a8c033a6cf6481274f5029e', 14852),
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/experimental/gateway.networking.k8s.io_tcproutes.yaml`,
    '0db798d0997a254120de668fdfb1a536c296e7e99c0a20e1004bc5f6fc7d213f', 83341),
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/experimental/gateway.networking.k8s.io_tlsroutes.yaml`,
    'c7fcddb73966fc83ad7001eff8bb910d8a640c7c1f280254e88b93541fc9a82b', 135634),
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/experimental/gateway.networking.k8s.io_udproutes.yaml`,
    '5832d701ebe3330dc3b033dfe6aa54bff2d565939ad6e6dc2722dbe2ea1e35fb', 83311),
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/experimental/gateway.networking.k8s.io_vap_safeupgrades.yaml`,
    '0d286059670490d68d11196604258979e0925d74d66de417b4a1a625d7cdeb00', 2609),
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/experimental/gateway.networking.x-k8s.io_xbackends.yaml`,
    'd883115b918ae32d61ca6895f19f1617bf1176d4355f9a682bfb37f0dc8d6874', 36409),
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/experimental/gateway.networking.x-k8s.io_xbackendtrafficpolicies.yaml`,
    'acdac07f15b3c46bfdfaded9cc2f2d654e353b340955ee559d58a86c6afebbee', 31116),
  pin('gateway-api', VERSIONS.gatewayApi,
    `${GATEWAY_API_TREE}/config/crd/experimental/gateway.networking.x-k8s.io_xmeshes.yaml`,
    '56be828232d98b59ded8bee49e1430623551c34cf4395a59fb97d502d9fc8b42', 10423),
];

/**
 * Gateway API Inference Extension CRDs: the four files under `config/crd/bases/` that the release's `manifests.yaml`
 * bundles (`kustomize build config/crd` at the tag): InferencePool (`inference.networking.k8s.io`, v1) and the alpha
 * InferenceModelRewrite, InferenceObjective and InferencePoolImport (`inference.networking.x-k8s.io`).
 */
export const INFERENCE_EXTENSION_CRDS: readonly UpstreamArtifact[] = [
  pin('inference-extension', VERSIONS.inferenceExtension,
    `${INFERENCE_EXTENSION_TREE}/config/crd/bases/inference.networking.k8s.io_inferencepools.yaml`,
    '0bc3ddd94db6f588a5cecc627c39e3d12b4343d51c48d47ffa68c50fa73c290c', 18222),
  pin('inference-extension', VERSIONS.inferenceExtension,
    `${INFERENCE_EXTENSION_TREE}/config/crd/bases/inference.networking.x-k8s.io_inferencemodelrewrites.yaml`,
    '887abbc047e7e36633f2f28ee47dc59cae5293ebef110e57cc286ab4605d8a97', 10636),
  pin('inference-extension', VERSIONS.inferenceExtension,
    `${INFERENCE_EXTENSION_TREE}/config/crd/bases/inference.networking.x-k8s.io_inferenceobjectives.yaml`,
    'e06a3e13e91f7a3a71a9d4146fb56076a247f43ad72b6401f8039ccf9cfa3700', 8942),
  pin('inference-extension', VERSIONS.inferenceExtension,
    `${INFERENCE_EXTENSION_TREE}/config/crd/bases/inference.networking.x-k8s.io_inferencepoolimports.yaml`,
    '45b32d60ca88057723f1e67bc732cf13745bea0fe0b755ccedec88c58e1228cc', 18198),
];

/** agentgateway CRDs: the files of the `agentgateway-crds` chart, which hold no templating. */
export const AGENTGATEWAY_CRDS: readonly UpstreamArtifact[] = [
  pin('agentgateway', VERSIONS.agentgateway,
    `${AGENTGATEWAY_TREE}/controller/install/helm/agentgateway-crds/templates/agentgateway.dev_agentgatewaybackends.yaml`,
    '43ae03190606bf374935a647a11d184fb1431f6bb2bfe409f4d7e299445b8ad5', 1041093),
  pin('agentgateway', VERSIONS.agentgateway,
    `${AGENTGATEWAY_TREE}/controller/install/helm/agentgateway-crds/templates/agentgateway.dev_agentgatewaymodels.yaml`,
    'fd4b3b5dba847021c0ed33e319d8ea663543ead22daaeba2d16954b63203e73c', 309320),
  pin('agentgateway', VERSIONS.agentgateway,
    `${AGENTGATEWAY_TREE}/controller/install/helm/agentgateway-crds/templates/agentgateway.dev_agentgatewayparameters.yaml`,
    '1851ef732ab90f191ee3a758a5a6d6037190f94e8a82161251b055e25a40ffbf', 62043),
  pin('agentgateway', VERSIONS.agentgateway,
    `${AGENTGATEWAY_TREE}/controller/install/helm/agentgateway-crds/templates/agentgateway.dev_agentgatewaypolicies.yaml`,
    '8a1b7e156128b2c37970a1bff7c9a23f3cf5880db57e112248887ea9d958a653', 627771),
];

/** The upstream render of the `agentgateway` chart (release `test-release`, namespace `default`, tag `v0.0.0-dev`): a test fixture, used only to check our control-plane constructs. */
export const AGENTGATEWAY_CHART_GOLDEN: UpstreamArtifact = pin('agentgateway', VERSIONS.agentgateway,
  `${AGENTGATEWAY_TREE}/controller/test/helm/testdata/agentgateway/default.golden`,
  'cbda4becd233eae7274a4007e396744189fec5976b3c7e967452622f8010a5bd', 7437);

/** cert-manager static install manifest (release asset). */
export const CERT_MANAGER_MANIFEST: UpstreamArtifact = pin('cert-manager', VERSIONS.certManager,
  `${CERT_MANAGER_RELEASE}/cert-manager.yaml`,
  '5f6a499b8c1857d57f560f536e0dcc830914b45c420899fe7ad0692c8624e408', 1034400);

/** cert-manager CRD sources (controller-gen output), for schemas only; the install uses the release manifest. */
export const CERT_MANAGER_CRD_SOURCES: readonly UpstreamArtifact[] = [
  pin('cert-manager', VERSIONS.certManager,
    `${CERT_MANAGER_TREE}/deploy/crds/acme.cert-manager.io_challenges.yaml`,
    'dff7542a2ee6581e3963a076410212ad3207201b70df8a328aa50826d569161c', 272526),
  pin('cert-manager', VERSIONS.certManager,
    `${CERT_MANAGER_TREE}/deploy/crds/acme.cert-manager.io_orders.yaml`,
    'b1e9c938b9724482cc0612aac949b40e062001fc9732234c591f24cb9ffc5ca7', 12847),
  pin('cert-manager', VERSIONS.certManager,
    `${CERT_MANAGER_TREE}/deploy/crds/cert-manager.io_certificaterequests.yaml`,
    '74cf3801ab146a1745498de5f3b619cde6f2dc89ae03755084be08129ce726c3', 13493),
  pin('cert-manager', VERSIONS.certManager,
    `${CERT_MANAGER_TREE}/deploy/crds/cert-manager.io_certificates.yaml`,
    '7ad91029c00ec959d54215b19d3b1a9b7e0247eaa60f987151c2b70d8661f8af', 46453),
  pin('cert-manager', VERSIONS.certManager,
    `${CERT_MANAGER_TREE}/deploy/crds/cert-manager.io_clusterissuers.yaml`,
    '30008001b78aafb8e110af61359561104b5fafc3a4dc6ac0013245d0ee3fe4ca', 332408),
  pin('cert-manager', VERSIONS.certManager,
    `${CERT_MANAGER_TREE}/deploy/crds/cert-manager.io_issuers.yaml`,
    '05e37efb02777e0362d24269fa103c2fc11419f9c85e31854ef873e5d9e5c5cc', 332279),
];

/** KServe install manifest (`install/<tag>/kserve.yaml`; it holds no Namespace). */
export const KSERVE_MANIFEST: UpstreamArtifact = pin('kserve', VERSIONS.kserve,
  `${KSERVE_TREE}/install/${VERSIONS.kserve}/kserve.yaml`,
  '6e6c1a5ceeb889e6ac41d68a551fa8c7d1fc1abcba10284154a0872bcc0d3fb8', 7051337);

/** KServe ClusterServingRuntimes and LLMInferenceServiceConfigs. */
export const KSERVE_CLUSTER_RESOURCES: UpstreamArtifact = pin('kserve', VERSIONS.kserve,
  `${KSERVE_TREE}/install/${VERSIONS.kserve}/kserve-cluster-resources.yaml`,
  'ee79c890721edc498738fd0f4d8a615adc8baa2d19d552d6d97528d858144e5d', 156891);

/** KServe CRDs as one file. */
export const KSERVE_CRDS: UpstreamArtifact = pin('kserve', VERSIONS.kserve,
  `${KSERVE_TREE}/install/${VERSIONS.kserve}/kserve-crds.yaml`,
  'dd5fad5999862c34dde061c97e49419810034320e1245ce9c6e4bfd51cac6255', 2308112);

/** The InferenceService CRD alone, for imports/. */
export const KSERVE_INFERENCESERVICE_CRD: UpstreamArtifact = pin('kserve', VERSIONS.kserve,
  `${KSERVE_TREE}/config/crd/full/serving.kserve.io_inferenceservices.yaml`,
  '57c3bf13f77de94678bf2ae3748056ec071ad2b9e88d6a28f44fb4710758fcff', 1959187);

/** The LLMInferenceService CRD alone. */
export const KSERVE_LLMINFERENCESERVICE_CRD: UpstreamArtifact = pin('kserve', VERSIONS.kserve,
  `${KSERVE_TREE}/config/crd/full/llmisvc/serving.kserve.io_llminferenceservices.yaml`,
  '4377745d253c5c6407ccd46aecdfadcea160ba77a0976dd2d112f0ca9a1ac53f', 2246097);

/** Every pinned artifact, for prefetching and for look-up by URL. */
export const ALL_ARTIFACTS: readonly UpstreamArtifact[] = [
  ...GATEWAY_API_STANDARD,
  ...GATEWAY_API_EXPERIMENTAL,
  ...INFERENCE_EXTENSION_CRDS,
  ...AGENTGATEWAY_CRDS,
  AGENTGATEWAY_CHART_GOLDEN,
  CERT_MANAGER_MANIFEST,
  ...CERT_MANAGER_CRD_SOURCES,
  KSERVE_MANIFEST,
  KSERVE_CLUSTER_RESOURCES,
  KSERVE_CRDS,
  KSERVE_INFERENCESERVICE_CRD,
  KSERVE_LLMINFERENCESERVICE_CRD,
];

/** The pinned artifact with this canonical URL, or undefined. */
export function artifactByUrl(url: string): UpstreamArtifact | undefined {
  return ALL_ARTIFACTS.find(a => a.url === url);
}
