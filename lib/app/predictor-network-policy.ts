import { ApiObject } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkProps, skipIfProblems, DNS1123_SUBDOMAIN_RULE, isDns1123Subdomain, PropErrors } from '../shared/validation';
import { ensureUniqueObjects } from '../shared/unique-objects';
import { InferenceService } from './inference-service';
import { IGateway } from './ingress-gateway';
import { cdk8sPlusLibrary as plus } from '../shared/imports';

/** Props for {@link PredictorNetworkPolicy}. */
export interface PredictorNetworkPolicyProps {
  /** The model whose predictor pods are protected. */
  readonly inferenceService: InferenceService;
  /** The gateway whose proxy pods may call them (selected by the Gateway's infrastructure labels). */
  readonly gateway: IGateway;
  /**
   * Name of the NetworkPolicy.
   * @default '<inference service name>-predictor-ingress'
   */
  readonly name?: string;
}

/**
 * A NetworkPolicy that admits traffic to a model's predictor pods only from the gateway proxy, on the model's
 * port: no pod can call the model around the gateway and its token budget. KServe's control plane needs no rule:
 * in Standard mode it never connects to predictor pods (health checks come from the kubelet, which NetworkPolicies
 * do not filter).
 */
export class PredictorNetworkPolicy extends Construct {
  /** Policy name. */
  public readonly name!: string;
  /** The cdk8s-plus NetworkPolicy (add rules to it to admit more). */
  public readonly networkPolicy!: kplus.NetworkPolicy;
  /** The generated NetworkPolicy object (`ApiObject.of(networkPolicy)`), for JSON patches. */
  public readonly apiObject!: ApiObject;

  constructor(scope: Construct, id: string, props: PredictorNetworkPolicyProps) {
    super(scope, id);
    if (!checkProps('PredictorNetworkPolicy', this, props, ['inferenceService', 'gateway'])) return;
    if (skipIfProblems(this, props.inferenceService, props.gateway)) return;
    ensureUniqueObjects(this);
    const { inferenceService: isvc, gateway } = props;
    this.name = props.name ?? `${isvc.name}-predictor-ingress`;
    if (new PropErrors('PredictorNetworkPolicy', this).check(isDns1123Subdomain(this.name), 'name', this.name, DNS1123_SUBDOMAIN_RULE).report()) return;

    this.networkPolicy = new (plus().NetworkPolicy)(this, 'Resource', {
      metadata: { name: this.name, namespace: isvc.namespace },
      selector: plus().Pods.select(this, 'Predictors', { labels: { ...isvc.predictorPodLabels } }),
    });
    const proxies = plus().Pods.select(this, 'GatewayProxies', {
      labels: { ...gateway.proxyLabels },
      namespaces: plus().Namespaces.select(this, 'GatewayNamespace', { names: [gateway.namespace] }),
    });
    this.networkPolicy.addIngressRule(proxies, [plus().NetworkPolicyPort.tcp(isvc.containerPort)]);
    this.apiObject = ApiObject.of(this.networkPolicy);
    this.node.defaultChild = this.apiObject;
  }
}
