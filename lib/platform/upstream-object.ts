import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { DocumentFacts, parseAsKubectl } from '../shared/yaml-text';

export { parseAsKubectl } from '../shared/yaml-text';

/**
 * One document of a pinned upstream manifest as a cdk8s ApiObject, so plain `app.synth()`, `Testing.synth()` and
 * JSON patches see it (like the objects of cdk8s `Include`). Its text is parsed only when something asks for the
 * object, as kubectl reads it (YAML 1.1: `on`/`yes` booleans, `0755` octals; timestamps stay strings), and the
 * result is upstream's document unchanged: no chart labels, no key sorting, no dropped `null`s.
 */
export class UpstreamObject extends ApiObject {
  /** Whether `o` is an UpstreamObject (ApiObject's own `instanceof` would say yes for every ApiObject). */
  public static isUpstreamObject(o: unknown): o is UpstreamObject {
    return typeof o === 'object' && o !== null && (o as Record<symbol, unknown>)[UPSTREAM_OBJECT] === true;
  }

  static [Symbol.hasInstance](o: unknown): o is UpstreamObject {
    return UpstreamObject.isUpstreamObject(o);
  }

  private parsed?: Record<string, any>;
  /** Whether a transform replaced upstream's document. */
  private readonly replaced: boolean;
  private readonly ops: JsonPatch[] = [];

  /**
   * @param text the document's exact text
   * @param facts its apiVersion, kind, name and namespace, read from its top-level lines
   * @param object the document as an object, when a transform replaced it
   */
  constructor(scope: Construct, id: string, public readonly text: string, facts: DocumentFacts, object?: Record<string, any>) {
    super(scope, id, {
      apiVersion: facts.apiVersion ?? '',
      kind: facts.kind ?? '',
      metadata: { name: facts.name, ...(facts.namespace ? { namespace: facts.namespace } : {}) },
    });
    Object.defineProperty(this, UPSTREAM_OBJECT, { value: true });
    this.parsed = object;
    this.replaced = object !== undefined;
  }

  /** Whether the object differs from upstream's text (a transform replaced it, or patches were added). */
  public get modified(): boolean {
    return this.replaced || this.ops.length > 0;
  }

  public addJsonPatch(...ops: JsonPatch[]): void {
    this.ops.push(...ops);
  }

  public toJson(): any {
    this.parsed ??= parseAsKubectl(this.text);
    return this.ops.length > 0 ? JsonPatch.apply(structuredClone(this.parsed), ...this.ops) : structuredClone(this.parsed);
  }
}

const UPSTREAM_OBJECT = Symbol.for('kserve-agentgateway-stack.UpstreamObject');
