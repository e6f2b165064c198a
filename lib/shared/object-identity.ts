/**
 * How the API server tells objects apart, in one place for the constructs, the renderer, the deploy tools and the
 * validator: API group, kind, namespace and name (the version does not count).
 */

/** The API group of an apiVersion: `apps/v1` → `apps`, `v1` → `` (the core group). */
export function apiGroup(apiVersion: string | undefined): string {
  return apiVersion?.includes('/') ? apiVersion.split('/')[0] : '';
}

/** The group a CustomResourceDefinition defines, from its name (`<plural>.<group>`), if it has one. */
export function crdGroup(crdName: string | undefined): string | undefined {
  return crdName?.includes('.') ? crdName.slice(crdName.indexOf('.') + 1) : undefined;
}

/** The groups the CRDs among `objects` define: their objects are custom resources of this input. */
export function definedGroups(objects: readonly { apiVersion?: string; kind?: string; name?: string }[]): Set<string> {
  const groups = new Set<string>();
  for (const o of objects) {
    const group = o.kind === 'CustomResourceDefinition' && apiGroup(o.apiVersion) === 'apiextensions.k8s.io' ? crdGroup(o.name) : undefined;
    if (group) groups.add(group);
  }
  return groups;
}

/** The identity key of an object: `group/kind/namespace/name`. */
export function objectKey(o: { apiVersion?: string; kind?: string; namespace?: string; name?: unknown }): string {
  return `${apiGroup(o.apiVersion)}/${o.kind}/${o.namespace ?? ''}/${o.name}`;
}

/** How an object reads in messages: `Kind namespace/name`. */
export function describeObject(o: { kind?: string; namespace?: string; name?: unknown }): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}
