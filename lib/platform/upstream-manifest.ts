import { Construct } from 'constructs';
import { DocumentFacts, documentFacts, splitDocuments } from '../shared/yaml-text';

export { splitDocuments } from '../shared/yaml-text';
import { ensureUniqueObjects } from '../shared/unique-objects';
import { UpstreamArtifact } from '../upstream/artifacts';
import { UpstreamResolver } from '../upstream/resolver';
import { UpstreamObject } from './upstream-object';
import { checkProps } from '../shared/validation';

/** One document of an upstream manifest: its exact text and, when it holds an object, that object's construct. */
export interface ManifestDocument {
  /** The document's exact text (comments and formatting included). */
  readonly raw: string;
  /** Its apiVersion, kind, name and namespace, read from its top-level lines. */
  readonly facts: DocumentFacts;
  /** The object, unless the document holds only comments. */
  readonly object?: UpstreamObject;
}

/** Props for {@link UpstreamManifest}. */
export interface UpstreamManifestProps {
  /** The pinned file. */
  readonly artifact: UpstreamArtifact;
  /**
   * Where the bytes come from.
   * @default UpstreamResolver.default() (UPSTREAM_MIRROR, then the cache)
   */
  readonly resolver?: UpstreamResolver;
  /**
   * Replaces chosen documents; return undefined to keep a document's exact text. Called with each document's
   * text and its `kind`/`metadata.name` read from the top-level lines (only documents that match are parsed).
   * @default - every document is kept verbatim
   */
  readonly transform?: (doc: RawDocument) => Record<string, any> | undefined;
  /**
   * Chooses the documents to keep; a document it refuses is left out entirely (as if upstream's file lacked it). Called
   * with each document's text and its `kind`/`metadata.name` read from the top-level lines.
   * @default - every document is kept
   */
  readonly include?: (doc: RawDocument) => boolean;
}

/** A document of an upstream file, before any parsing. */
export interface RawDocument {
  /** The document's exact text. */
  readonly text: string;
  /** Top-level `kind`, if the document has one. */
  readonly kind?: string;
  /** `metadata.name`, if found. */
  readonly name?: string;
}

/**
 * A pinned upstream YAML file in a chart, like cdk8s `Include`: every document becomes an ApiObject child
 * ({@link UpstreamObject}), so plain `app.synth()` emits it. This project's own renderer instead copies each
 * unchanged document byte for byte, which is faster on megabytes and keeps every scalar exactly as upstream wrote
 * it; only documents that a `transform` replaced (or that have JSON patches) are emitted from objects.
 */
export class UpstreamManifest extends Construct {
  /** The documents kept (see `include`), in upstream order. */
  public readonly documents: readonly ManifestDocument[];
  /** The pinned artifact. */
  public readonly artifact: UpstreamArtifact;

  constructor(scope: Construct, id: string, props: UpstreamManifestProps) {
    super(scope, id);
    checkProps('UpstreamManifest', this, props, ['artifact']);
    ensureUniqueObjects(this);
    this.artifact = props.artifact;
    const text = (props.resolver ?? UpstreamResolver.default()).readText(props.artifact);
    const ids = new Set<string>();
    this.documents = splitDocuments(text).flatMap((raw): ManifestDocument[] => {
      const facts = documentFacts(raw);
      if (props.include && !props.include({ text: raw, kind: facts.kind, name: facts.name })) return [];
      if (facts.kind === undefined) return [{ raw, facts }];
      const replaced = props.transform?.({ text: raw, kind: facts.kind, name: facts.name });
      return [{ raw, facts, object: new UpstreamObject(this, uniqueId(ids, facts), raw, facts, replaced) }];
    });
  }

  /** The objects, in upstream order. */
  public get apiObjects(): UpstreamObject[] {
    return this.documents.flatMap(d => (d.object ? [d.object] : []));
  }
}

/** `name[-kind][-namespace]`, as cdk8s `Include` names its children; a repeat gets a counter (and is reported as a duplicate object). */
function uniqueId(ids: Set<string>, facts: DocumentFacts): string {
  const base = [facts.name ?? 'object', facts.kind?.toLowerCase(), facts.namespace].filter(x => x).join('-');
  let id = base;
  for (let n = 2; ids.has(id); n++) id = `${base}-${n}`;
  ids.add(id);
  return id;
}
