import { Construct } from 'constructs';
import { GATEWAY_API_EXPERIMENTAL, GATEWAY_API_STANDARD, UpstreamArtifact } from '../upstream/artifacts';
import { UpstreamResolver } from '../upstream/resolver';
import { UpstreamManifest } from './upstream-manifest';
import { checkProps, PropErrors } from '../shared/validation';

/** A Gateway API release channel. */
export enum GatewayApiChannel {
  /** GA and beta APIs only: all the guide needs (Gateway, HTTPRoute). */
  STANDARD = 'standard',
  /** Standard plus experimental APIs and fields. */
  EXPERIMENTAL = 'experimental',
}

/** What can be set on {@link GatewayApiCrds} (all but where its files are read from). */
export interface GatewayApiCrdsOptions {
  /**
   * Which channel's CRDs to install (`config/crd/<channel>/` at the tag).
   * @default GatewayApiChannel.STANDARD
   */
  readonly channel?: GatewayApiChannel;
  /**
   * Include the `safe-upgrades` ValidatingAdmissionPolicy and binding that the release bundle carries (they stop
   * an accidental downgrade to older CRDs; they need Kubernetes 1.30+).
   * @default true
   */
  readonly safeUpgradesPolicy?: boolean;
}

/** Props for {@link GatewayApiCrds}. */
export interface GatewayApiCrdsProps extends GatewayApiCrdsOptions {
  /**
   * Where upstream files are read from.
   * @default UpstreamResolver.default()
   */
  readonly resolver?: UpstreamResolver;
}

/** The pinned files {@link GatewayApiCrds} reads for these props. */
export function gatewayApiArtifacts(props: GatewayApiCrdsProps = {}): UpstreamArtifact[] {
  const files = (props.channel ?? GatewayApiChannel.STANDARD) === GatewayApiChannel.EXPERIMENTAL ? GATEWAY_API_EXPERIMENTAL : GATEWAY_API_STANDARD;
  return files.filter(a => (props.safeUpgradesPolicy ?? true) || !a.url.endsWith('_vap_safeupgrades.yaml'));
}

/** The Gateway API CRDs (v1.6.1), byte for byte as released, one upstream file per CRD. */
export class GatewayApiCrds extends Construct {
  /** The channel installed. */
  public readonly channel!: GatewayApiChannel;
  /** One manifest per upstream file, in upstream (alphabetical) order. */
  public readonly manifests!: readonly UpstreamManifest[];

  constructor(scope: Construct, id: string, props: GatewayApiCrdsProps = {}) {
    super(scope, id);
    if (!checkProps('GatewayApiCrds', this, props)) return;
    this.channel = props.channel ?? GatewayApiChannel.STANDARD;
    if (new PropErrors('GatewayApiCrds', this)
      .check(Object.values(GatewayApiChannel).includes(this.channel), 'channel', this.channel, `one of ${Object.values(GatewayApiChannel).join(', ')}`)
      .report()) return;
    this.manifests = gatewayApiArtifacts(props).map(artifact =>
      new UpstreamManifest(this, artifact.url.split('/').pop()!, { artifact, resolver: props.resolver }));
  }
}
