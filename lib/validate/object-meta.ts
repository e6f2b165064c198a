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
    for (const [k, v] of Object.entries(map)) {
      if (!isQualifiedName(k)) add(`Invalid value: ${show(k)}: a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/'`, [...path, field, k]);
      if (typeof v !== 'string') add(`Invalid value: ${show(v)}: must be a string`, [...path, field, k]);
      else if (field === 'labels' && !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v) || field === 'labels' && typeof v === 'string' && v.length > 63) {
        add(`Invalid value: ${show(v)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)`, [...path, field, k]);
      }
    }
  }
}

function isQualifiedName(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (parts.length === 2 && !(parts[0].length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(parts[0]))) return false;
  return name.length > 0 && name.length <= 63 && /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/.test(name);
}

