import { Construct } from 'constructs';
import { UpstreamArtifact } from '../upstream/artifacts';
import { UpstreamResolver } from '../upstream/resolver';
import { documentFacts } from '../shared/yaml-text';

/** One document of an upstream manifest: its exact text, or an object we changed and re-emit. */
export type ManifestDocument =
  | { readonly raw: string }
  | { readonly object: Record<string, any> };

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
 * An upstream YAML file included in a chart's output byte for byte (like cdk8s `Include`, without the
 * parse-and-re-emit round trip, which is slow on megabytes and can change what kubectl reads: YAML 1.1 scalars,
 * big numbers, octal-looking strings). Only documents that a `transform` replaces are emitted from objects.
 */
export class UpstreamManifest extends Construct {
  /** The documents, in upstream order. */
  public readonly documents: readonly ManifestDocument[];
  /** The pinned artifact. */
  public readonly artifact: UpstreamArtifact;

  constructor(scope: Construct, id: string, props: UpstreamManifestProps) {
    super(scope, id);
    this.artifact = props.artifact;
    const text = (props.resolver ?? UpstreamResolver.default()).readText(props.artifact);
    this.documents = splitDocuments(text).map(raw => {
      const replaced = props.transform?.(describe(raw));
      return replaced ? { object: replaced } : { raw };
    });
  }
}

/** Splits a multi-document YAML text at `---` lines, dropping documents that hold only blank lines. */
export function splitDocuments(text: string): string[] {
  return text.split(/^---[ \t]*(?:#.*)?\r?\n/m)
    .filter(doc => doc.trim().length > 0)
    .map(doc => (doc.endsWith('\n') ? doc : `${doc}\n`));
}

function describe(text: string): RawDocument {
  const { kind, name } = documentFacts(text);
  return { text, kind, name };
}
