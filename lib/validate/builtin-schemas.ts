/**
 * Validates built-in Kubernetes kinds (Namespace, Deployment, Service, RBAC, webhooks, CRDs, ...) offline, the way
 * `kubectl apply --validate=strict` has the API server judge them: strict decoding (unknown fields at any depth are
 * errors, wrong JSON types are errors) and the OpenAPI schema's types, formats, enums and required fields.
 *
 * Two views of one source, the `kubernetes-models` package (generated from the official Kubernetes OpenAPI spec):
 * - its precompiled ajv validators (`kubernetes-models/_schemas/<Name>.js`), loaded lazily per kind, for types,
 *   formats, enums and required fields;
 * - imports/k8s-builtin-fields.json, generated from the same package's declarations by
 *   lib/cli/import-k8s-schemas.ts, for the fields each type has (the validators accept unknown properties).
 *
 * Free-form content (RawExtension, apiextensions JSON such as a CRD schema's `default`/`example`/`enum`, and the
 * leniently decoded JSONSchemaPropsOrArray/OrBool such as `items`) is never reported as unknown fields.
 */
import * as fs from 'fs';
import * as path from 'path';
import { configMapDataBytes, MAX_CONFIG_MAP_DATA_BYTES } from '../shared/config-map-size';
import { jsonPath } from './findings';
import { goValidationIssues } from './builtin-rules';
import { goDecoded, wrapInt32 } from './go-decoding';
import { labelAndAnnotationIssues } from './object-meta';
import { own } from './own';

/** One problem in a built-in object. */
export interface BuiltinIssue {
  /** JSON path inside the object, like `.spec.template.spec.containers[0].name`; empty for the whole object. */
  readonly path: string;
  /** What is wrong, close to the API server's wording (`Required value`, `Invalid value`, `Unsupported value`, `unknown field`). */
  readonly message: string;
  /** A wrong JSON type: the object's shape cannot be trusted by checks that read it. */
  readonly shape?: boolean;
}

/** The shape of imports/k8s-builtin-fields.json (documented in lib/cli/import-k8s-schemas.ts). */
export interface BuiltinFieldData {
  readonly source: { readonly package: string; readonly version: string; readonly apimachinery: string };
  readonly kinds: Record<string, [schema: string, type: number]>;
  readonly types: Record<string, string>[];
  readonly schemas: Record<string, string>;
}

/** Where the generated field data lives. */
export const BUILTIN_FIELDS_FILE = path.join(__dirname, '..', '..', 'imports', 'k8s-builtin-fields.json');

interface AjvError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, any>;
  readonly message?: string;
}
/**
 * Fields the OpenAPI schema lists as required (their Go field has no `omitempty`) but the API server's own validation
 * accepts absent, because the zero value is valid (kubernetes@v1.33):
 * - EndpointSlice `endpoints`: pkg/apis/discovery/validation/validation.go ValidateEndpointSlice only ranges over it;
 * - NetworkPolicy `spec.podSelector`: an empty selector selects every pod (pkg/apis/networking/validation
 *   ValidateNetworkPolicySpec validates it as a label selector, which may be empty);
 * - LimitRange `spec.limits`: pkg/apis/core/validation ValidateLimitRange only ranges over it.
 */
const LENIENT_REQUIRED = new Map<string, readonly string[]>([
  ['discovery.k8s.io/v1/EndpointSlice', ['.endpoints']],
  ['networking.k8s.io/v1/NetworkPolicy', ['.spec.podSelector']],
  ['v1/LimitRange', ['.spec.limits']],
  // pkg/apis/rbac/v1/defaults.go SetDefaults_(Cluster)RoleBinding: an empty roleRef.apiGroup becomes rbac.authorization.k8s.io.
  ['rbac.authorization.k8s.io/v1/RoleBinding', ['.roleRef.apiGroup']],
  ['rbac.authorization.k8s.io/v1/ClusterRoleBinding', ['.roleRef.apiGroup']],
]);

type ValidateFunction = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
type Path = (string | number)[];

export class BuiltinSchemas {
  private data?: BuiltinFieldData;
  private modelsDir?: string;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly file: string = BUILTIN_FIELDS_FILE) {}

  /** True when `apiVersion`/`kind` is a built-in kind we have a schema for (e.g. 'apps/v1', 'Deployment'). */
  has(apiVersion: string, kind: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.load().kinds, `${apiVersion}/${kind}`);
  }

  /** The package and versions the schemas come from. */
  get source(): BuiltinFieldData['source'] {
    return this.load().source;
  }

  /** Every problem the API server would report for `obj` under strict field validation; empty when it is valid. */
  validate(obj: any): BuiltinIssue[] {
    if (!isPlainObject(obj)) return [{ path: '', message: `Invalid value: expected object, got ${describe(obj)}` }];
    const data = this.load();
    const key = `${obj.apiVersion}/${obj.kind}`;
    if (!Object.prototype.hasOwnProperty.call(data.kinds, key)) {
      return [{ path: '.kind', message: `Unsupported value: ${show(obj.kind)}: not a built-in kind of apiVersion ${show(obj.apiVersion)}` }];
    }
    const [schema, type] = data.kinds[key];
    // The server decodes into Go structs: a null field is its zero value, as if absent (observed with server-side
    // apply and create on kube-apiserver 1.34, test/differential).
    obj = goDecoded(obj, String(type), data.types);
    const redact = obj.apiVersion === 'v1' && obj.kind === 'Secret' ? (p: Path) => p[0] === 'data' || p[0] === 'stringData' : () => false;
    const found: BuiltinIssue[] = [];
    const wraps: Path[] = [];
    this.checkSchema(schema, String(type), obj, [], found, redact, wraps);
    // Server-side apply converts through unstructured with Go's integer conversion: an int32 field past its range
    // wraps around (2147483648 becomes -2147483648) and the Go validation below judges the wrapped value.
    obj = wrapInt32(obj, wraps);
    const lenient = LENIENT_REQUIRED.get(key);
    const issues = lenient ? found.filter(i => !(lenient.includes(i.path) && i.message.startsWith('Required value'))) : found;
    this.checkFields(obj, String(type), [], true, issues, redact);
    const meta = obj.metadata;
    if (isPlainObject(meta) && !nonEmptyString(meta.name) && !nonEmptyString(meta.generateName)) {
      issues.push({ path: '.metadata.name', message: 'Required value: name or generateName is required' });
    }
    // ValidateObjectMeta runs for every kind: the OpenAPI schema only says labels and annotations are string maps.
    for (const i of labelAndAnnotationIssues(meta)) issues.push({ path: jsonPath(i.path), message: i.message });
    if (!issues.some(i => i.shape)) for (const i of goValidationIssues(key, obj)) issues.push({ path: jsonPath(i.path), message: i.message });
    if (key === 'v1/ConfigMap' && (obj.data !== undefined || obj.binaryData !== undefined)) {
      const bytes = configMapDataBytes(obj.data, obj.binaryData);
      if (bytes > MAX_CONFIG_MAP_DATA_BYTES) {
        issues.push({ path: '', message: `Too long: may not be more than ${MAX_CONFIG_MAP_DATA_BYTES} bytes: data and binaryData hold ${bytes} bytes, above the API server's 1 MiB limit for a ConfigMap (MaxSecretSize), so it refuses the object. Fix: keep less in it, or split it` });
      }
    }
    return issues;
  }

  private load(): BuiltinFieldData {
    if (!this.data) {
      const data: BuiltinFieldData = JSON.parse(fs.readFileSync(this.file, 'utf8'));
      this.modelsDir = path.dirname(require.resolve(`${data.source.package}`));
      const installed = JSON.parse(fs.readFileSync(path.join(this.modelsDir, 'package.json'), 'utf8')).version;
      if (installed !== data.source.version) {
        throw new Error(`${this.file} was generated from ${data.source.package}@${data.source.version}, but ${installed} is installed: run \`npm run import\``);
      }
      this.data = data;
    }
    return this.data;
  }

  private validator(schema: string): ValidateFunction {
    let fn = this.validators.get(schema);
    if (!fn) {
      // The package's export map hides _schemas/, so load the file by its path (it is plain CommonJS).
      fn = require(path.join(this.modelsDir!, '_schemas', `${schema}.js`)).validate as ValidateFunction;
      this.validators.set(schema, fn);
    }
    return fn;
  }

  /**
   * Runs the package's validator for `schema` (whose fields are `ref`) on `value`, found at `base`, and turns its
   * errors into issues.
   */
  private checkSchema(schema: string, ref: string, value: unknown, base: Path, issues: BuiltinIssue[], redact: (p: Path) => boolean, wraps: Path[] = []): void {
    const fn = this.validator(schema);
    if (fn(value)) return;
    // Group by location: int-or-string and quantity are `oneOf`s whose branch errors land on the same path.
    const byPath = new Map<string, { path: Path; ref: string | undefined; value: unknown; errors: AjvError[] }>();
    for (const error of fn.errors ?? []) {
      let group = byPath.get(error.instancePath);
      if (!group) {
        const located = this.locate(value, ref, error.instancePath);
        group = { path: [...base, ...located.path], ref: located.ref, value: located.value, errors: [] };
        byPath.set(error.instancePath, group);
      }
      group.errors.push(error);
    }
    for (const { path: at, ref: atRef, value: v, errors } of byPath.values()) {
      // The package types JSONSchemaPropsOrBool & co. as plain objects; checkFields applies their real rules.
      if (atRef?.startsWith('~')) continue;
      const hidden = redact(at);
      const add = (message: string, where: Path = at, shape = false) => issues.push({ path: jsonPath(where), message, ...(shape ? { shape } : {}) });
      for (const e of errors.filter(x => x.keyword === 'required')) {
        add(`Required value: must have property "${e.params.missingProperty}"`, [...at, e.params.missingProperty]);
      }
      if (errors.some(e => e.keyword === 'oneOf')) {
        const format = errors.find(e => e.keyword === 'format');
        if (format) add(formatMessage(format.params.format, v, hidden));
        else {
          const types = [...new Set(errors.filter(e => e.keyword === 'type').map(e => String(e.params.type)))].sort();
          add(`Invalid value: expected ${types.join(' or ')}, got ${describe(v, hidden)}`, at, true);
        }
        continue;
      }
      const typeError = errors.find(e => e.keyword === 'type');
      if (typeError) {
        // A wrong JSON type fails decoding; enum and format checks on the same value would only repeat it.
        add(`Invalid value: expected ${typeError.params.type}, got ${describe(v, hidden)}`, at, true);
        continue;
      }
      for (const e of errors) {
        if (e.keyword === 'required') continue;
        if (e.keyword === 'enum') {
          add(`Unsupported value: ${hidden ? '(hidden)' : show(v)}: supported values: ${(e.params.allowedValues as unknown[]).map(show).join(', ')}`);
        } else if (e.keyword === 'format' && e.params.format === 'int32' && typeof v === 'number' && Number.isInteger(v)) {
          wraps.push(at);
        } else if (e.keyword === 'format') {
          add(formatMessage(e.params.format, v, hidden));
        } else {
          add(`Invalid value: ${hidden ? '(hidden)' : show(v)}: ${e.message ?? `fails "${e.keyword}" ${JSON.stringify(e.params)}`}`);
        }
      }
    }
  }

  /**
   * Strict decoding: reports fields that `ref` (see lib/cli/import-k8s-schemas.ts) does not declare. Below a
   * leniently decoded value (`strict` false) nothing is unknown, but objects decoded as schemas are still type-checked.
   */
  private checkFields(value: unknown, ref: string, at: Path, strict: boolean, issues: BuiltinIssue[], redact: (p: Path) => boolean): void {
    if (ref.startsWith('~')) return this.checkSchemaWrapper(value, ref, at, issues, redact);
    if (value === null || typeof value !== 'object' || ref === '' || ref === '*') return;
    const head = ref[0];
    if (head === '[') {
      if (Array.isArray(value)) value.forEach((item, i) => this.checkFields(item, ref.slice(1), [...at, i], strict, issues, redact));
      return;
    }
    if (head === '{') {
      if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) this.checkFields(v, ref.slice(1), [...at, k], strict, issues, redact);
      return;
    }
    if (!isPlainObject(value)) return;
    const fields = this.load().types[Number(ref)];
    for (const [k, v] of Object.entries(value)) {
      const sub = own(fields, k);
      if (sub !== undefined) this.checkFields(v, sub, [...at, k], strict, issues, redact);
      else if (strict) issues.push({ path: jsonPath([...at, k]), message: `unknown field "${dotted([...at, k])}"` });
    }
  }

  /**
   * apiextensions' JSONSchemaPropsOrArray (`~a`), OrBool (`~b`) and OrStringArray (`~s`): decoded leniently (no
   * unknown fields inside), but a schema object in them is decoded, and so type-checked, as JSONSchemaProps.
   */
  private checkSchemaWrapper(value: unknown, ref: string, at: Path, issues: BuiltinIssue[], redact: (p: Path) => boolean): void {
    if (value === null || value === undefined) return;
    const form = ref[1];
    const type = ref.slice(2);
    const schemaObject = (v: unknown, p: Path) => {
      this.checkSchema(this.load().schemas[type], type, v, p, issues, redact); // type comes from our own field data
      this.checkFields(v, type, p, false, issues, redact);
    };
    if (isPlainObject(value)) return schemaObject(value, at);
    if (form === 'b' && typeof value === 'boolean') return;
    if (form !== 'b' && Array.isArray(value)) {
      value.forEach((item, i) => {
        if (form === 'a' && isPlainObject(item)) schemaObject(item, [...at, i]);
        else if (form === 's' && typeof item === 'string') return;
        else issues.push({ path: jsonPath([...at, i]), message: `Invalid value: expected ${form === 'a' ? 'object' : 'string'}, got ${describe(item)}` });
      });
      return;
    }
    issues.push({ path: jsonPath(at), message: `Invalid value: expected object or ${form === 'b' ? 'boolean' : 'array'}, got ${describe(value)}` });
  }

  /**
   * Follows an ajv instancePath (`/spec/ports/0/port`) through `root` (whose fields are `ref`), telling list indices
   * from map keys; also says which field ref the path ends at (undefined where the field map does not go).
   */
  private locate(root: unknown, ref: string, instancePath: string): { path: Path; ref: string | undefined; value: unknown } {
    const out: Path = [];
    let current: any = root;
    let at: string | undefined = ref;
    if (instancePath === '') return { path: out, ref: at, value: current };
    for (const raw of instancePath.slice(1).split('/')) {
      const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      if (Array.isArray(current)) {
        out.push(Number(seg));
        current = current[Number(seg)];
      } else {
        out.push(seg);
        current = current != null && typeof current === 'object' ? current[seg] : undefined;
      }
      if (at === undefined) continue;
      if (at[0] === '[' || at[0] === '{') at = at.slice(1);
      else if (/^\d+$/.test(at)) at = own(this.load().types[Number(at)], seg);
      else at = undefined;
    }
    return { path: out, ref: at, value: current };
  }
}

function formatMessage(format: string, value: unknown, hidden = false): string {
  const what = hidden ? '' : ` ${show(value)}:`;
  switch (format) {
    case 'int32': return `Invalid value:${what} must be a 32-bit integer`;
    case 'int64': return `Invalid value:${what} must be a 64-bit integer`;
    case 'byte': return `Invalid value:${what} must be base64-encoded`;
    case 'date-time': return `Invalid value:${what} must be an RFC 3339 date-time, like "2006-01-02T15:04:05Z"`;
    case 'quantity': return `Invalid value:${what} quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`;
    default: return `Invalid value:${what} must be of format ${format}`;
  }
}

/** `string "3"`, `number 3.5`, `boolean true`, `null`, `array`, `object`. */
function describe(value: unknown, hidden = false): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  return hidden ? typeof value : `${typeof value} ${show(value)}`;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The API server's field path: `spec.template.spec.containers[0].name`. */
function dotted(p: Path): string {
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function isPlainObject(v: unknown): v is Record<string, any> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function nonEmptyString(v: unknown): boolean {
  return typeof v === 'string' && v.length > 0;
}
