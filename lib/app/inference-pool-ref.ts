import { Construct, IConstruct } from 'constructs';
import { checkProps, DNS1123_LABEL_RULE, DNS1123_SUBDOMAIN_RULE, isDns1123Label, isDns1123Subdomain, PropErrors } from '../shared/validation';

/** A reference to an InferencePool (Gateway API Inference Extension, `inference.networking.k8s.io`). */
export interface IInferencePoolRef extends IConstruct {
  /** Pool name. */
  readonly poolName: string;
  /** Pool namespace. */
  readonly poolNamespace: string;
}

/** What identifies an InferencePool this app does not define. */
export interface InferencePoolAttributes {
  /** Pool name, e.g. `mock-llm-inference-pool`, the pool KServe creates for the LLMInferenceService `mock-llm`. */
  readonly name: string;
  /** Pool namespace. */
  readonly namespace: string;
}

/** An InferencePool this app does not define (KServe's, or another controller's), imported by name: it emits nothing. */
export class InferencePoolRef extends Construct implements IInferencePoolRef {
  /** A pool by name and namespace. */
  public static fromInferencePoolAttributes(scope: Construct, id: string, attrs: InferencePoolAttributes): IInferencePoolRef {
    return new InferencePoolRef(scope, id, attrs);
  }

  public readonly poolName!: string;
  public readonly poolNamespace!: string;

  private constructor(scope: Construct, id: string, attrs: InferencePoolAttributes) {
    super(scope, id);
    if (!checkProps('InferencePoolRef.fromInferencePoolAttributes', this, attrs, ['name', 'namespace'])) return;
    this.poolName = attrs.name;
    this.poolNamespace = attrs.namespace;
    new PropErrors('InferencePoolRef.fromInferencePoolAttributes', this)
      .check(isDns1123Subdomain(attrs.name), 'name', attrs.name, DNS1123_SUBDOMAIN_RULE)
      .check(isDns1123Label(attrs.namespace), 'namespace', attrs.namespace, DNS1123_LABEL_RULE)
      .report();
  }
}
