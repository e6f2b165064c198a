import { Construct } from 'constructs';
import { INFERENCE_EXTENSION_CRDS, UpstreamArtifact } from '../upstream/artifacts';
import { UpstreamResolver } from '../upstream/resolver';
import { UpstreamManifest } from './upstream-manifest';
import { checkProps } from '../shared/validation';

/**
 * What can be set on {@link InferenceExtensionCrds} (all but where its files are read from). Nothing yet: the
 * component installs the release bundle as it is; the interface is where options of later versions go, and what
 * `platform: { inferenceExtension: {} }` turns the component on with.
 */
export interface InferenceExtensionCrdsOptions {}

/** Props for {@link InferenceExtensionCrds}. */
export interface InferenceExtensionCrdsProps extends InferenceExtensionCrdsOptions {
  /**
   * Where upstream files are read from.
   * @default UpstreamResolver.default()
   */
  readonly resolver?: UpstreamResolver;
}

/** The pinned files {@link InferenceExtensionCrds} reads. */
export function inferenceExtensionArtifacts(): UpstreamArtifact[] {
  return [...INFERENCE_EXTENSION_CRDS];
}

/**
 * The Gateway API Inference Extension CRDs (v1.5.0), byte for byte as released, one upstream file per CRD: the
 * objects of the release's `manifests.yaml`. InferencePool (`inference.networking.k8s.io/v1`) is what KServe's
 * LLMInferenceService creates and what agentgateway routes to; agentgateway's controller watches it only when the CRD
 * exists at its start, so this component is applied before agentgateway.
 */
export class InferenceExtensionCrds extends Construct {
  /** One manifest per upstream file, in upstream (alphabetical) order. */
  public readonly manifests: readonly UpstreamManifest[];
  /** The names of the CRDs installed (`<plural>.<group>`), read from the upstream objects. */
  public readonly crdNames: readonly string[];

  constructor(scope: Construct, id: string, props: InferenceExtensionCrdsProps = {}) {
    super(scope, id);
    checkProps('InferenceExtensionCrds', this, props);
    this.manifests = inferenceExtensionArtifacts().map(artifact =>
      new UpstreamManifest(this, artifact.url.split('/').pop()!, { artifact, resolver: props.resolver }));
    this.crdNames = this.manifests.flatMap(m => m.documents)
      .filter(d => d.facts.kind === 'CustomResourceDefinition' && d.facts.name !== undefined)
      .map(d => d.facts.name!);
  }
}
