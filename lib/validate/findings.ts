/** How bad a finding is: errors fail validation; warnings fail it only under `--strict`. */
export type Severity = 'error' | 'warning';

/** One problem found in the input, located as precisely as we can. */
export interface Finding {
  /** The file the object came from (as given, or relative to the working directory). */
  readonly file: string;
  /** 1-based line of the document (or of the YAML error), when known. */
  readonly line?: number;
  /** The object's kind, when known. */
  readonly kind?: string;
  /** The object's namespace, when it has one. */
  readonly namespace?: string;
  /** The object's name, when known. */
  readonly name?: string;
  /** JSON path inside the object, like `.spec.listeners[0].port`; empty for the whole object. */
  readonly path: string;
  /** What is wrong, in words: the violated rule's message, or the schema keyword explained. */
  readonly message: string;
  /** Error or warning. */
  readonly severity: Severity;
  /** A stable id for the kind of check (`schema`, `cel`, `reference`, `yaml`, ...). */
  readonly rule: string;
}

/** `file: Kind namespace/name: .json.path: message` (parts that are unknown are left out). */
export function formatFinding(f: Finding): string {
  const where = f.line ? `${f.file}:${f.line}` : f.file;
  const object = f.kind ? `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name ?? '<unnamed>'}` : undefined;
  const level = f.severity === 'warning' ? 'warning: ' : '';
  return [where, object, f.path || undefined, `${level}${f.message}`].filter(Boolean).join(': ');
}

/** A JSON path segment list rendered as `.a.b[0]['x.y']`. */
export function jsonPath(segments: readonly (string | number)[]): string {
  return segments.map(s => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join('');
}

/**
 * Rules whose findings are refusals the API server itself would give to `kubectl apply` (decoding, schema, unknown
 * fields, list types, CEL, unknown kinds; `internal` is a bug of ours, reported with them so it is never mistaken
 * for advice). Every other rule is the validator's own finding — a reference that resolves to nothing, a duplicate,
 * a security or pitfall finding, a tenant budget that matches no rule —: the object applies, but will not work as
 * meant.
 */
export const SERVER_RULES: ReadonlySet<string> = new Set(['yaml', 'schema', 'unknown-field', 'list-type', 'cel', 'unknown-kind', 'internal']);

/** An error the API server itself would refuse the object for (see {@link SERVER_RULES}). */
export function serverWouldRefuse(f: Finding): boolean {
  return f.severity === 'error' && SERVER_RULES.has(f.rule);
}
