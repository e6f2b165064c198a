import { ApiObject, JsonPatch } from 'cdk8s';

/**
 * Keeps a cluster-scoped object free of a namespace: cdk8s gives every ApiObject its chart's namespace, and the
 * API server rejects a cluster-scoped object that names one.
 */
export function clusterScoped<T extends ApiObject>(obj: T): T {
  if (obj.metadata.namespace !== undefined) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  return obj;
}
