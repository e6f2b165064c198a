/**
 * The API server's size limit on a ConfigMap: the bytes of its `data` values plus the decoded bytes of its
 * `binaryData` values may not exceed 1 MiB (kubernetes pkg/apis/core/validation/validation.go `ValidateConfigMap`,
 * `totalSize > core.MaxSecretSize`; the keys do not count). Above it, the apply is refused.
 */

/** `core.MaxSecretSize`: 1 MiB, the limit for a ConfigMap's (and a Secret's) data. */
export const MAX_CONFIG_MAP_DATA_BYTES = 1024 * 1024;

/** The size the API server counts for a ConfigMap's `data` and `binaryData` (values only; strings as UTF-8). */
export function configMapDataBytes(data: unknown, binaryData?: unknown): number {
  let total = 0;
  if (typeof data === 'object' && data !== null) {
    for (const v of Object.values(data)) if (typeof v === 'string') total += Buffer.byteLength(v, 'utf8');
  }
  if (typeof binaryData === 'object' && binaryData !== null) {
    for (const v of Object.values(binaryData)) if (typeof v === 'string') total += Buffer.from(v, 'base64').length;
  }
  return total;
}
