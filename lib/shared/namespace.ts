import { ApiObject } from 'cdk8s';
import { clusterScoped } from './cluster-scoped';
import { Construct } from 'constructs';
import { DNS1123_LABEL_RULE, isDns1123Label, PropErrors } from './validation';
import { ensureUniqueObjects } from './unique-objects';

/** Props for {@link Namespace}. */
export interface NamespaceProps {
  /** Namespace name. */
  readonly name: string;
  /**
   * Labels on the namespace (gateways can admit routes by namespace label).
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/** A Namespace, emitted exactly as `kubectl create namespace` would make it (no extra fields). */
export class Namespace extends Construct {
  /** Namespace name. */
  public readonly name!: string;
  /** Labels. */
  public readonly labels!: Readonly<Record<string, string>>;
  /** The generated Namespace object. */
  public readonly apiObject!: ApiObject;

  constructor(scope: Construct, id: string, props: NamespaceProps) {
    super(scope, id);
    ensureUniqueObjects(this);
    this.name = props.name;
    this.labels = { ...props.labels };
    if (new PropErrors('Namespace', this).check(isDns1123Label(this.name), 'name', this.name, DNS1123_LABEL_RULE).report()) return;
    this.apiObject = clusterScoped(new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: this.name, ...(Object.keys(this.labels).length > 0 ? { labels: { ...this.labels } } : {}) },
    }));
  }
}
