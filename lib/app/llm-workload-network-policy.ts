import { ApiObject } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkProps, skipIfProblems, DNS1123_SUBDOMAIN_RULE, isDns1123Subdomain, PropErrors } from '../shared/validation';
import { ensureUniqueObjects } from '../shared/unique-objects';
import { IGateway } from './ingress-gateway';
import { LlmInferenceService } from './llm-inference-service';
import { cdk8sPlusLibrary as plus } from '../shared/imports';

/** Props for {@link LlmWorkloadNetworkPolicy}. */
export interface LlmWorkloadNetworkPolicyProps {
  /** The LLMInferenceService whose model server pods are protected. */
  readonly llmInferenceService: LlmInferenceService;
  /** The gateway whose proxy pods may call them. */
  readonly gateway: IGateway;
  /**
   * Name of the NetworkPolicy.
   * @default '<name>-workload-ingress'
   */
  readonly name?: string;
}

/**
 * A NetworkPolicy that admits traffic to an LLMInferenceService's model server pods only from the gateway proxy
 * (which sends requests to the endpoint the pool's picker chose, or, through an AI backend, to any pool endpoint)
 * and from the model's own endpoint picker (which scrapes the servers' metrics to choose), on the server's port
 * when it is known: no pod can call the model around the gateway and its token budget.
 */
export class LlmWorkloadNetworkPolicy extends Construct {
  /** Policy name. */
  public readonly name!: string;
  /** The cdk8s-plus NetworkPolicy (add rules to it to admit more). */
  public readonly networkPolicy!: kplus.NetworkPolicy;
  /** The generated NetworkPolicy object (`ApiObject.of(networkPolicy)`), for JSON patches. */
  public readonly apiObject!: ApiObject;

  constructor(scope: Construct, id: string, props: LlmWorkloadNetworkPolicyProps) {
    super(scope, id);
    if (!checkProps('LlmWorkloadNetworkPolicy', this, props, ['llmInferenceService', 'gateway'])) return;
    if (skipIfProblems(this, props.llmInferenceService, props.gateway)) return;
    ensureUniqueObjects(this);
    const { llmInferenceService: llm, gateway } = props;
    this.name = props.name ?? `${llm.name}-workload-ingress`;
    if (new PropErrors('LlmWorkloadNetworkPolicy', this).check(isDns1123Subdomain(this.name), 'name', this.name, DNS1123_SUBDOMAIN_RULE).report()) return;

    this.networkPolicy = new (plus().NetworkPolicy)(this, 'Resource', {
      metadata: { name: this.name, namespace: llm.namespace },
      selector: plus().Pods.select(this, 'ModelServers', { labels: { ...llm.workloadPodLabels } }),
    });
    const ports = llm.containerPort !== undefined ? [plus().NetworkPolicyPort.tcp(llm.containerPort)] : undefined;
    // One rule per peer (cdk8s-plus's way): the union of the two is the one rule listing both peers.
    this.networkPolicy.addIngressRule(plus().Pods.select(this, 'GatewayProxies', {
      labels: { ...gateway.proxyLabels },
      namespaces: plus().Namespaces.select(this, 'GatewayNamespace', { names: [gateway.namespace] }),
    }), ports);
    this.networkPolicy.addIngressRule(plus().Pods.select(this, 'EndpointPicker', { labels: { ...llm.schedulerPodLabels } }), ports);
    this.apiObject = ApiObject.of(this.networkPolicy);
    this.node.defaultChild = this.apiObject;
  }
}
