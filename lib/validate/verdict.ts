/** What the validator records about one document, and the helpers that classify documents. */
import { createHash } from 'crypto';
import { CrdSummary, isCrdSummary } from './crd-schemas';
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

const optionalString = (v: unknown) => v === undefined || typeof v === 'string';

/** A verdict read back from the cache has the shape the validator writes (anything else is a miss). */
export function isDocumentVerdict(v: any): v is DocumentVerdict {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    && optionalString(v.apiVersion) && optionalString(v.kind) && optionalString(v.namespace) && optionalString(v.name)
    && (v.object === undefined || (v.object !== null && typeof v.object === 'object'))
    && (v.crd === undefined || isCrdSummary(v.crd))
    && Array.isArray(v.findings) && v.findings.every((f: any) => f !== null && typeof f === 'object'
      && typeof f.path === 'string' && typeof f.message === 'string' && typeof f.rule === 'string'
      && (f.severity === 'error' || f.severity === 'warning') && (f.line === undefined || Number.isInteger(f.line)));
}

/** Verdicts by document digest, as the cache stores them per file and per pin. */
export function isVerdictRecord(v: unknown): v is Record<string, DocumentVerdict> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every(isDocumentVerdict);
}

/** A list of strings (document digests of a pin). */
export function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every(s => typeof s === 'string');
}

// A verdict read back from the cache (JSON.parse) gets its object as null-prototype maps again, like fresh input.
export function withSafeObject(verdict: DocumentVerdict): DocumentVerdict {
  return verdict.object === undefined ? verdict : { ...verdict, object: cloneJson(verdict.object) };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
