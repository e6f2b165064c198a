/**
 * The schemas variants are derived from: a custom resource's from its CRD (the `openAPIV3Schema` of the version it
 * is written in), a built-in kind's from the OpenAPI v3 document the API server under test publishes
 * (`/openapi/v3/apis/<group>/<version>`), so the rules a mutation breaks are the server's own.
 *
 * Dev and test tooling: the library never imports this file.
 */

/** A JSON schema node, resolved: `$ref` followed and `allOf` merged. `ref` names the component it came from. */
export interface SchemaNode {
  readonly type?: string;
  readonly format?: string;
  readonly properties?: Record<string, SchemaNode>;
  readonly additionalProperties?: SchemaNode | boolean;
  readonly items?: SchemaNode;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly maximum?: number;
  readonly minimum?: number;
  readonly exclusiveMaximum?: boolean;
  readonly exclusiveMinimum?: boolean;
  readonly maxLength?: number;
  readonly minLength?: number;
  readonly maxItems?: number;
  readonly pattern?: string;
  readonly nullable?: boolean;
  readonly oneOf?: readonly SchemaNode[];
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-embedded-resource'?: boolean;
  readonly 'x-kubernetes-list-type'?: string;
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
  readonly 'x-kubernetes-validations'?: readonly { rule: string; message?: string; fieldPath?: string }[];
  readonly ref?: string;
}

/** Looks up the schema of an apiVersion/kind; undefined when neither a CRD nor the server's document has it. */
export interface SchemaSource {
  schemaOf(apiVersion: string, kind: string): SchemaNode | undefined;
}

/** Schemas of custom resources, from CRD objects (as they are in dist/). */
export class CrdSchemaSource implements SchemaSource {
  private readonly byKind = new Map<string, SchemaNode>();

  constructor(crds: readonly any[]) {
    for (const crd of crds) {
      for (const v of crd?.spec?.versions ?? []) {
        const schema = v?.schema?.openAPIV3Schema;
        if (schema) this.byKind.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, schema);
      }
    }
  }

  public schemaOf(apiVersion: string, kind: string): SchemaNode | undefined {
    return this.byKind.get(`${apiVersion}/${kind}`);
  }
}

/**
 * Schemas of built-in kinds, from the server's OpenAPI v3 documents (one per group version), keyed by the
 * `x-kubernetes-group-version-kind` each component declares.
 */
export class OpenApiSchemaSource implements SchemaSource {
  private readonly components = new Map<string, any>();
  private readonly byKind = new Map<string, string>();
  private readonly resolved = new Map<string, SchemaNode>();

  constructor(documents: readonly any[]) {
    for (const doc of documents) {
      for (const [name, schema] of Object.entries<any>(doc?.components?.schemas ?? {})) {
        this.components.set(name, schema);
        for (const gvk of schema?.['x-kubernetes-group-version-kind'] ?? []) {
          this.byKind.set(`${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`, name);
        }
      }
    }
  }

  public schemaOf(apiVersion: string, kind: string): SchemaNode | undefined {
    const name = this.byKind.get(`${apiVersion}/${kind}`);
    return name ? this.component(name) : undefined;
  }

  private component(name: string): SchemaNode {
    const done = this.resolved.get(name);
    if (done) return done;
    // Recursive types (JSONSchemaProps) resolve lazily: properties are resolved through getters on first access.
    const node: any = {};
    this.resolved.set(name, node);
    Object.assign(node, this.resolve(this.components.get(name) ?? {}), { ref: name });
    return node;
  }

  private resolve(raw: any): SchemaNode {
    if (raw?.$ref) return this.component(String(raw.$ref).replace('#/components/schemas/', ''));
    let node: any = { ...raw };
    if (Array.isArray(raw?.allOf)) {
      delete node.allOf;
      for (const part of raw.allOf) node = { ...this.resolve(part), ...node };
    }
    if (raw?.properties) {
      const props: Record<string, SchemaNode> = {};
      for (const [k, v] of Object.entries(raw.properties)) lazy(props, k, () => this.resolve(v));
      node.properties = props;
    }
    if (raw?.items && typeof raw.items === 'object') lazy(node, 'items', () => this.resolve(raw.items));
    if (raw?.additionalProperties && typeof raw.additionalProperties === 'object') lazy(node, 'additionalProperties', () => this.resolve(raw.additionalProperties));
    return node;
  }
}

function lazy(target: any, key: string, make: () => SchemaNode): void {
  let value: SchemaNode | undefined;
  Object.defineProperty(target, key, { enumerable: true, configurable: true, get: () => (value ??= make()) });
}

/** Tries each source in turn. */
export class Schemas implements SchemaSource {
  constructor(private readonly sources: readonly SchemaSource[]) {}

  public schemaOf(apiVersion: string, kind: string): SchemaNode | undefined {
    for (const s of this.sources) {
      const found = s.schemaOf(apiVersion, kind);
      if (found) return found;
    }
    return undefined;
  }
}

/** The schema of a property of an object node (its declared property, else additionalProperties). */
export function propertySchema(node: SchemaNode | undefined, key: string): SchemaNode | undefined {
  if (!node) return undefined;
  if (node.properties && Object.hasOwn(node.properties, key)) return node.properties[key];
  return typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined;
}

/** A Kubernetes resource.Quantity (built-in) or a CRD's int-or-string with the quantity pattern. */
export function isQuantity(node: SchemaNode): boolean {
  return node.ref === 'io.k8s.apimachinery.pkg.api.resource.Quantity'
    || (node['x-kubernetes-int-or-string'] === true && /KMGTPE|\[KMGTPE\]i/.test(node.pattern ?? ''));
}

/** A value of either JSON type (int-or-string, quantity): a type change must avoid both. */
export function isIntOrString(node: SchemaNode): boolean {
  return node['x-kubernetes-int-or-string'] === true || node.format === 'int-or-string' || isQuantity(node) || Array.isArray(node.oneOf);
}

/** Content the schema does not describe (RawExtension, JSON, preserved unknown fields): nothing to derive from. */
export function isFreeForm(node: SchemaNode): boolean {
  return node['x-kubernetes-preserve-unknown-fields'] === true || (!node.type && !node.properties && !isIntOrString(node))
    || node.ref === 'io.k8s.apimachinery.pkg.runtime.RawExtension' || node.ref === 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON';
}
