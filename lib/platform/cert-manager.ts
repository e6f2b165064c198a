import { Construct } from 'constructs';
import { CERT_MANAGER_MANIFEST, UpstreamArtifact } from '../upstream/artifacts';
import { UpstreamResolver } from '../upstream/resolver';
import { UpstreamManifest } from './upstream-manifest';
import { checkProps } from '../shared/validation';

/** What can be set on {@link CertManager} (all but where its files are read from). */
export interface CertManagerOptions {
}

/** Props for {@link CertManager}. */
export interface CertManagerProps extends CertManagerOptions {
  /**
   * Where upstream files are read from.
   * @default UpstreamResolver.default()
   */
  readonly resolver?: UpstreamResolver;
}

/** The pinned files {@link CertManager} reads. */
export function certManagerArtifacts(): UpstreamArtifact[] {
  return [CERT_MANAGER_MANIFEST];
}

/**
 * cert-manager v1.21.1 from its static release manifest (Namespace `cert-manager`, its CRDs, controller,
 * cainjector and webhook), byte for byte. KServe's webhooks get their certificates from it.
 */
export class CertManager extends Construct {
  /** The namespace the manifest installs into. */
  public static readonly NAMESPACE = 'cert-manager';
  /** The release manifest. */
  public readonly manifest!: UpstreamManifest;

  constructor(scope: Construct, id: string, props: CertManagerProps = {}) {
    super(scope, id);
    if (!checkProps('CertManager', this, props)) return;
    this.manifest = new UpstreamManifest(this, 'Manifest', { artifact: CERT_MANAGER_MANIFEST, resolver: props.resolver });
  }
}
