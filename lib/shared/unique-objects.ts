import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { describeObject, objectKey } from './object-identity';

/** Facts of an ApiObject without rendering it. */
export interface ObjectIdentity {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
}

const checked = new WeakSet<IConstruct>();

/**
 * Makes the construct tree of `scope` refuse two objects with the same identity: on apply the second would silently
 * replace the first. The check runs wherever cdk8s validates (`app.synth()`, `Testing.synth()`, `chart.toJson()`)
 * and in this project's own renderer; it is added to the tree's root once, however many constructs ask for it.
 */
export function ensureUniqueObjects(scope: IConstruct): void {
  const root = scope.node.root;
  if (checked.has(root)) return;
  checked.add(root);
  root.node.addValidation({ validate: () => duplicateObjects(root) });
}

/** Every pair of objects under `root` that the API server would treat as one, as messages. */
export function duplicateObjects(root: IConstruct): string[] {
  const seen = new Map<string, string>();
  const errors: string[] = [];
  for (const c of root.node.findAll()) {
    if (!(c instanceof ApiObject)) continue;
    const id: ObjectIdentity = { apiVersion: c.apiVersion, kind: c.kind, namespace: c.metadata.namespace, name: c.name };
    const key = objectKey(id);
    const prior = seen.get(key);
    if (prior) {
      errors.push(`Duplicate object ${describeObject(id)}: defined by ${prior} and ${c.node.path}; give one of them another name`);
    } else {
      seen.set(key, c.node.path);
    }
  }
  return errors;
}
