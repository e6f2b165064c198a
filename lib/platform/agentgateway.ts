import { Construct } from 'constructs';
import { Namespace } from '../shared/namespace';
import { AGENTGATEWAY_CRDS, UpstreamArtifact } from '../upstream/artifacts';
import { UpstreamResolver } from '../upstream/resolver';
import { AgentgatewayControlPlane, AgentgatewayControlPlaneProps, DEFAULT_AGENTGATEWAY_NAMESPACE } from './agentgateway-control-plane';
import { UpstreamManifest } from './upstream-manifest';
import { checkProps } from '../shared/validation';

/** What can be set on {@link Agentgateway} (all but where its files are read from). */
export interface AgentgatewayOptions extends AgentgatewayControlPlaneProps {
  /**
   * Install the four agentgateway CRDs (AgentgatewayBackend, AgentgatewayModel, AgentgatewayParameters,
   * AgentgatewayPolicy). Turn off when the `agentgateway-crds` chart manages them.
   * @default true
   */
  readonly crds?: boolean;
  /**
   * Create the control plane's Namespace.
   * @default true
   */
  readonly createNamespace?: boolean;
}

/** Props for {@link Agentgateway}. */
export interface AgentgatewayProps extends AgentgatewayOptions {
  /**
   * Where upstream files are read from.
   * @default UpstreamResolver.default()
   */
  readonly resolver?: UpstreamResolver;
}

/** The pinned files {@link Agentgateway} reads for these props. */
export function agentgatewayArtifacts(props: AgentgatewayProps = {}): UpstreamArtifact[] {
  return (props.crds ?? true) ? [...AGENTGATEWAY_CRDS] : [];
}

/**
 * agentgateway v1.4.1: its CRDs (byte for byte from the `agentgateway-crds` chart, which holds no templating),
 * its Namespace, and its control plane as the official chart renders it. The controller then creates GatewayClass
 * `agentgateway` and a proxy per Gateway of that class.
 */
export class Agentgateway extends Construct {
  /** GatewayClass the controller creates and reconciles (agentgateway@v1.4.1:controller/api/settings/settings.go). */
  public static readonly GATEWAY_CLASS_NAME = 'agentgateway';
  /** The CRD manifests, when installed. */
  public readonly crds!: readonly UpstreamManifest[];
  /** The namespace, when created here. */
  public readonly namespace?: Namespace;
  /** The control plane. */
  public readonly controlPlane!: AgentgatewayControlPlane;

  constructor(scope: Construct, id: string, props: AgentgatewayProps = {}) {
    super(scope, id);
    if (!checkProps('Agentgateway', this, props)) return;
    const { crds: _crds, createNamespace, resolver, ...controlPlaneProps } = props;
    this.crds = agentgatewayArtifacts(props).map(artifact =>
      new UpstreamManifest(this, artifact.url.split('/').pop()!, { artifact, resolver }));
    if (createNamespace ?? true) {
      this.namespace = new Namespace(this, 'Namespace', { name: props.namespace ?? DEFAULT_AGENTGATEWAY_NAMESPACE });
    }
    this.controlPlane = new AgentgatewayControlPlane(this, 'ControlPlane', controlPlaneProps);
  }
}
