/**
 * The built-in resources a fresh Kubernetes 1.32 API server serves (the part of `kubectl api-resources` the stacks
 * here use, plus common neighbours), so the double maps exactly these kinds and versions and refuses others as a
 * real server's discovery would (e.g. `policy/v1beta1` PodDisruptionBudget, removed in 1.25).
 */
export interface ResourceType {
  readonly group: string;
  /** Served versions. */
  readonly versions: readonly string[];
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly namespaced: boolean;
}

const t = (group: string, versions: string[], kind: string, plural: string, namespaced: boolean, shortNames: string[] = []): ResourceType =>
  ({ group, versions, kind, plural, singular: kind.toLowerCase(), shortNames, namespaced });

export const BUILTIN_TYPES: readonly ResourceType[] = [
  t('', ['v1'], 'Namespace', 'namespaces', false, ['ns']),
  t('', ['v1'], 'Node', 'nodes', false, ['no']),
  t('', ['v1'], 'PersistentVolume', 'persistentvolumes', false, ['pv']),
  t('', ['v1'], 'ServiceAccount', 'serviceaccounts', true, ['sa']),
  t('', ['v1'], 'ConfigMap', 'configmaps', true, ['cm']),
  t('', ['v1'], 'Secret', 'secrets', true),
  t('', ['v1'], 'Service', 'services', true, ['svc']),
  t('', ['v1'], 'Endpoints', 'endpoints', true, ['ep']),
  t('', ['v1'], 'Pod', 'pods', true, ['po']),
  t('', ['v1'], 'PersistentVolumeClaim', 'persistentvolumeclaims', true, ['pvc']),
  t('', ['v1'], 'LimitRange', 'limitranges', true, ['limits']),
  t('', ['v1'], 'ResourceQuota', 'resourcequotas', true, ['quota']),
  t('apps', ['v1'], 'Deployment', 'deployments', true, ['deploy']),
  t('apps', ['v1'], 'DaemonSet', 'daemonsets', true, ['ds']),
  t('apps', ['v1'], 'StatefulSet', 'statefulsets', true, ['sts']),
  t('apps', ['v1'], 'ReplicaSet', 'replicasets', true, ['rs']),
  t('batch', ['v1'], 'Job', 'jobs', true),
  t('batch', ['v1'], 'CronJob', 'cronjobs', true, ['cj']),
  t('autoscaling', ['v1', 'v2'], 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, ['hpa']),
  t('policy', ['v1'], 'PodDisruptionBudget', 'poddisruptionbudgets', true, ['pdb']),
  t('rbac.authorization.k8s.io', ['v1'], 'ClusterRole', 'clusterroles', false),
  t('rbac.authorization.k8s.io', ['v1'], 'ClusterRoleBinding', 'clusterrolebindings', false),
  t('rbac.authorization.k8s.io', ['v1'], 'Role', 'roles', true),
  t('rbac.authorization.k8s.io', ['v1'], 'RoleBinding', 'rolebindings', true),
  t('admissionregistration.k8s.io', ['v1'], 'ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', false),
  t('admissionregistration.k8s.io', ['v1'], 'MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', false),
  t('admissionregistration.k8s.io', ['v1'], 'ValidatingAdmissionPolicy', 'validatingadmissionpolicies', false),
  t('admissionregistration.k8s.io', ['v1'], 'ValidatingAdmissionPolicyBinding', 'validatingadmissionpolicybindings', false),
  t('apiextensions.k8s.io', ['v1'], 'CustomResourceDefinition', 'customresourcedefinitions', false, ['crd', 'crds']),
  t('networking.k8s.io', ['v1'], 'NetworkPolicy', 'networkpolicies', true, ['netpol']),
  t('networking.k8s.io', ['v1'], 'Ingress', 'ingresses', true, ['ing']),
  t('networking.k8s.io', ['v1'], 'IngressClass', 'ingressclasses', false),
  t('discovery.k8s.io', ['v1'], 'EndpointSlice', 'endpointslices', true),
  t('coordination.k8s.io', ['v1'], 'Lease', 'leases', true),
  t('scheduling.k8s.io', ['v1'], 'PriorityClass', 'priorityclasses', false, ['pc']),
  t('storage.k8s.io', ['v1'], 'StorageClass', 'storageclasses', false, ['sc']),
];
