/**
 * ObjectMeta and embedded resources in custom resources, as apiextensions-apiserver checks them
 * (pkg/apiserver/schema/objectmeta: names, label and annotation syntax, unknown fields under strict validation).
 */
import { dotted, show } from './json-values';
import { own } from './own';
import type { SchemaIssue } from './structural';

type Path = (string | number)[];

// objectmeta/validation.go validateEmbeddedResource: apiVersion and kind required strings, metadata an ObjectMeta.
export function checkEmbedded(object: Record<string, unknown>, path: Path, issues: SchemaIssue[]): void {
  for (const key of ['apiVersion', 'kind']) {
    const v = own(object, key);
    if (v === undefined) issues.push({ path: [...path, key], rule: 'schema', message: 'Required value' });
    else if (typeof v !== 'string') issues.push({ path: [...path, key], rule: 'schema', message: `Invalid value: ${show(v)}: must be a string` });
    else if (v === '') issues.push({ path: [...path, key], rule: 'schema', message: 'Invalid value: "": must not be empty' });
  }
  if (Object.hasOwn(object, 'metadata')) checkMetadata(object.metadata, [...path, 'metadata'], issues);
}

const OBJECT_META_FIELDS = new Set([
  'name', 'generateName', 'namespace', 'labels', 'annotations', 'finalizers', 'ownerReferences', 'uid', 'resourceVersion',
  'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink',
]);

// ObjectMeta as the API server validates it for custom resources (names, label syntax; unknown fields are errors).
export function checkMetadata(meta: any, path: Path, issues: SchemaIssue[]): void {
  const add = (message: string, at: Path = path) => {
    issues.push({ path: at, message, rule: 'schema' });
  };
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) {
    add(`Invalid value: ${show(meta)}: must be an object`);
    return;
  }
  for (const key of Object.keys(meta)) if (!OBJECT_META_FIELDS.has(key)) add(`unknown field "${dotted([...path, key])}"`, [...path, key]);
  for (const field of ['labels', 'annotations'] as const) {
    const map = meta[field];
    if (map === undefined) continue;
    if (map === null || typeof map !== 'object' || Array.isArray(map)) {
      add(`Invalid value: ${show(map)}: must be a map of strings`, [...path, field]);
      continue;
    }
    for (const [k, v] of Object.entries(map)) if (typeof v !== 'string') add(`Invalid value: ${show(v)}: must be a string`, [...path, field, k]);
  }
  for (const i of labelAndAnnotationIssues(meta, path)) add(i.message, i.path);
}

/** apimachinery's `TotalAnnotationSizeLimitB`: keys and values of all annotations together, in bytes. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/**
 * The label and annotation rules of apimachinery's ValidateObjectMeta, which the API server applies to every kind,
 * built-in or custom (k8s.io/apimachinery@v0.33 pkg/api/validation/objectmeta.go `ValidateAnnotations`,
 * pkg/apis/meta/v1/validation `ValidateLabels`): label keys are qualified names and values label values; annotation
 * keys are qualified names once lowercased, and all annotations together hold at most 256 KiB. Values that are not
 * strings are left to the type checks. As there, a finding's path is the map (`metadata.labels`), the key or value
 * is in its message.
 */
export function labelAndAnnotationIssues(meta: unknown, path: Path = ['metadata']): { path: Path; message: string }[] {
  const out: { path: Path; message: string }[] = [];
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return out;
  const mapOf = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
  const labels = mapOf((meta as any).labels);
  for (const [k, v] of Object.entries(labels ?? {})) {
    const bad = qualifiedNameProblem(k);
    if (bad) out.push({ path: [...path, 'labels'], message: `Invalid value: ${show(k)}: ${bad}` });
    if (typeof v === 'string' && !isLabelValue(v)) {
      out.push({ path: [...path, 'labels'], message: `Invalid value: ${show(v)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)` });
    }
  }
  const annotations = mapOf((meta as any).annotations);
  let bytes = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    const bad = qualifiedNameProblem(k.toLowerCase());
    if (bad) out.push({ path: [...path, 'annotations'], message: `Invalid value: ${show(k)}: ${bad}` });
    bytes += Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : 0);
  }
  if (bytes > TOTAL_ANNOTATION_SIZE_LIMIT) {
    out.push({ path: [...path, 'annotations'], message: `Too long: may not be more than ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes: the annotations hold ${bytes} bytes (keys and values together); keep large data in a ConfigMap instead` });
  }
  return out;
}

const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** apimachinery validation.IsQualifiedName: what is wrong with `key`, or undefined when it is valid. */
function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  const rule = "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', 'my.name' or '123-abc'), at most 63 characters, with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
  if (parts.length > 2) return rule;
  const name = parts[parts.length - 1];
  if (parts.length === 2) {
    if (parts[0] === '') return 'prefix part must be non-empty';
    if (parts[0].length > 253 || !DNS1123_SUBDOMAIN.test(parts[0])) return `prefix part ${show(parts[0])} must be a lowercase RFC 1123 subdomain (at most 253 characters of lower case alphanumerics, '-' or '.')`;
  }
  if (name === '') return 'name part must be non-empty';
  if (name.length > 63) return `name part must be no more than 63 characters (it has ${name.length})`;
  return QUALIFIED_NAME_PART.test(name) ? undefined : rule;
}

/** apimachinery validation.IsValidLabelValue. */
export function isLabelValue(v: string): boolean {
  return v === '' || (v.length <= 63 && QUALIFIED_NAME_PART.test(v));
}

