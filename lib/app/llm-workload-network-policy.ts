import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { checkProps, DNS1123_SUBDOMAIN_RULE, isDns1123Subdomain, PropErrors } from '../shared/validation';
import { ensureUniqueObjects } from '../shared/unique-objects';
import { IGateway } from './ingress-gateway';
import { LlmInferenceService } from './llm-inference-service';

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
  public readonly name: string;
  /** The generated NetworkPolicy object. */
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: LlmWorkloadNetworkPolicyProps) {
    super(scope, id);
    checkProps('LlmWorkloadNetworkPolicy', this, props, ['llmInferenceService', 'gateway']);
    ensureUniqueObjects(this);
    const { llmInferenceService: llm, gateway } = props;
    this.name = props.name ?? `${llm.name}-workload-ingress`;
    new PropErrors('LlmWorkloadNetworkPolicy', this).check(isDns1123Subdomain(this.name), 'name', this.name, DNS1123_SUBDOMAIN_RULE).throwIfAny();

    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: this.name, namespace: llm.namespace },
      spec: {
        podSelector: { matchLabels: { ...llm.workloadPodLabels } },
        policyTypes: ['Ingress'],
        ingress: [{
          from: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': gateway.namespace } },
              podSelector: { matchLabels: { ...gateway.proxyLabels } },
            },
            { podSelector: { matchLabels: { ...llm.schedulerPodLabels } } },
          ],
          ...(llm.containerPort !== undefined ? { ports: [{ port: llm.containerPort, protocol: 'TCP' }] } : {}),
        }],
      },
    });
  }
}
