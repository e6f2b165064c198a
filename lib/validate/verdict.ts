/** What the validator records about one document, and the helpers that classify documents. */
import { createHash } from 'crypto';
import { CrdSummary } from './crd-schemas';
import { cloneJson } from './own';
import { Severity } from './findings';

/** A verdict on one document, without its location: what the per-pin cache stores. */
export interface DocumentVerdict {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly object?: any;
  readonly crd?: CrdSummary;
  readonly findings: { path: string; message: string; rule: string; severity: Severity; line?: number }[];
}

export const CLUSTER_SCOPED_BUILTINS = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'StorageClass',
  'PriorityClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding', 'APIService',
  'CSIDriver', 'CSINode', 'VolumeAttachment', 'RuntimeClass', 'IngressClass', 'CertificateSigningRequest',
  'FlowSchema', 'PriorityLevelConfiguration', 'ClusterTrustBundle', 'IPAddress', 'ServiceCIDR',
]);

// kustomization.yaml files (dist/gitops/) configure a build; they are not applied to the cluster.
export function isBuildConfig(o: any): boolean {
  return typeof o?.apiVersion === 'string' && o.apiVersion.startsWith('kustomize.config.k8s.io/');
}

export function isCrd(o: any): boolean {
  return o?.kind === 'CustomResourceDefinition' && typeof o.apiVersion === 'string' && o.apiVersion.startsWith('apiextensions.k8s.io/');
}

// A verdict read back from the cache (JSON.parse) gets its object as null-prototype maps again, like fresh input.
export function withSafeObject(verdict: DocumentVerdict): DocumentVerdict {
  return verdict.object === undefined ? verdict : { ...verdict, object: cloneJson(verdict.object) };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
