import { ApiObject, JsonPatch } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-28';
import { clusterScoped } from './cluster-scoped';
import { Construct } from 'constructs';
import { DNS1123_LABEL_RULE, isDns1123Label, PropErrors } from './validation';
import { ensureUniqueObjects } from './unique-objects';
import { cdk8sPlusLibrary as plus } from './imports';

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
  /** The cdk8s-plus Namespace (its API, e.g. as a NetworkPolicy peer). */
  public readonly namespaceObject!: kplus.Namespace;
  /** The generated Namespace object (`ApiObject.of(namespaceObject)`), for JSON patches. */
  public readonly apiObject!: ApiObject;

  constructor(scope: Construct, id: string, props: NamespaceProps) {
    super(scope, id);
    ensureUniqueObjects(this);
    this.name = props.name;
    this.labels = { ...props.labels };
    if (new PropErrors('Namespace', this).check(isDns1123Label(this.name), 'name', this.name, DNS1123_LABEL_RULE).report()) return;
    this.namespaceObject = plainNamespace(this, 'Resource', this.name, this.labels);
    this.apiObject = ApiObject.of(this.namespaceObject);
    this.node.defaultChild = this.apiObject;
  }
}

/**
 * A cdk8s-plus Namespace written as `kubectl create namespace` writes it: name and labels only. cdk8s-plus adds an
 * empty `spec` (the escape hatch takes it out again), and a namespaced chart would give it a namespace.
 */
export function plainNamespace(scope: Construct, id: string, name: string, labels: Readonly<Record<string, string>> = {}): kplus.Namespace {
  const ns = new (plus().Namespace)(scope, id, { metadata: { name, ...(Object.keys(labels).length > 0 ? { labels: { ...labels } } : {}) } });
  clusterScoped(ApiObject.of(ns)).addJsonPatch(JsonPatch.remove('/spec'));
  return ns;
}
