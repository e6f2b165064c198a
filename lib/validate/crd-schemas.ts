import { UpstreamArtifact } from '../upstream/artifacts';
import { PLATFORM_COMPONENTS } from '../upstream/components';
import { UpstreamResolver } from '../upstream/resolver';
import { ValidationCache } from './cache';
import { parsedPin } from './documents';
import { StructuralSchema } from './structural-schema';

/** What the validator needs of one CRD. */
export interface CrdSummary {
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly scope: 'Namespaced' | 'Cluster';
  /** Served versions and their schemas. */
  readonly versions: Record<string, StructuralSchema | undefined>;
  /** Where it came from: an input file or a pinned URL. */
  readonly source: string;
  /** sha256 of the CRD document, for a CRD of the input (pinned ones are identified by their URL). */
  readonly digest?: string;
}

/** A CRD summary read back from the cache has the shape {@link summarizeCrd} writes (anything else is a miss). */
export function isCrdSummary(v: any): v is CrdSummary {
  return v !== null && typeof v === 'object' && typeof v.group === 'string' && typeof v.kind === 'string'
    && (v.plural === undefined || typeof v.plural === 'string') && (v.scope === 'Namespaced' || v.scope === 'Cluster')
    && v.versions !== null && typeof v.versions === 'object' && !Array.isArray(v.versions)
    && Object.values(v.versions).every(s => s === undefined || s === null || (typeof s === 'object' && !Array.isArray(s)))
    && typeof v.source === 'string' && (v.digest === undefined || typeof v.digest === 'string');
}

const isIndex = (v: unknown): v is [string, string][] =>
  Array.isArray(v) && v.every(e => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && typeof e[1] === 'string');

/** The pinned files whose CRDs the validator knows without seeing them in the input. */
export const PINNED_CRD_SOURCES: readonly UpstreamArtifact[] = PLATFORM_COMPONENTS.flatMap(c => c.schemaArtifacts);

/** Extracts the summary of a CustomResourceDefinition object (apiextensions.k8s.io/v1). */
export function summarizeCrd(crd: any, source: string, digest?: string): CrdSummary | undefined {
  const spec = crd?.spec;
  if (typeof spec?.group !== 'string' || typeof spec?.names?.kind !== 'string' || !Array.isArray(spec.versions)) return undefined;
  const versions: Record<string, StructuralSchema | undefined> = Object.create(null);
  for (const v of spec.versions) {
    if (v?.served === false || typeof v?.name !== 'string') continue;
    versions[v.name] = v.schema?.openAPIV3Schema;
  }
  return { group: spec.group, kind: spec.names.kind, plural: spec.names.plural, scope: spec.scope ?? 'Namespaced', versions, source, ...(digest ? { digest } : {}) };
}

const key = (group: string, kind: string) => `${group}/${kind}`;

/**
 * CRD schemas by group and kind: the input's CRDs first, then the pinned stack's. Pinned CRDs are read through the
 * resolver once and kept in the cache as one small index plus one JSON file per CRD, so a run loads only the
 * schemas of the kinds it validates.
 */
export class CrdSchemas {
  private readonly fromInput = new Map<string, CrdSummary>();
  private readonly fromCluster = new Map<string, CrdSummary>();
  private pinnedIndex?: Map<string, { file: string; source: string }>;
  private readonly loaded = new Map<string, CrdSummary>();

  constructor(private readonly resolver: UpstreamResolver | undefined, private readonly cache: ValidationCache) {}

  /** Registers a CRD found in the input (it wins over a pinned one of the same group and kind). */
  public addFromInput(summary: CrdSummary): void {
    this.fromInput.set(key(summary.group, summary.kind), summary);
  }

  /** Registers a CRD that exists in the cluster (`--existing`): below the input's, above the pinned stack's. */
  public addExisting(summary: CrdSummary): void {
    this.fromCluster.set(key(summary.group, summary.kind), summary);
  }

  /** The CRD for a group and kind, or undefined. */
  public lookup(group: string, kind: string): CrdSummary | undefined {
    const k = key(group, kind);
    const own = this.fromInput.get(k) ?? this.fromCluster.get(k);
    if (own) return own;
    const hit = this.loaded.get(k);
    if (hit) return hit;
    const entry = this.index().get(k);
    if (!entry) return undefined;
    const summary = this.cache.get(entry.file, isCrdSummary) ?? this.rebuild(k);
    if (summary) this.loaded.set(k, summary);
    return summary;
  }

  private index(): Map<string, { file: string; source: string }> {
    if (this.pinnedIndex) return this.pinnedIndex;
    this.pinnedIndex = new Map();
    if (!this.resolver) return this.pinnedIndex;
    const available = PINNED_CRD_SOURCES.filter(a => this.safeMissing(a));
    for (const artifact of available) {
      const indexKey = `crd-index-${artifact.sha256}`;
      let entries = this.cache.get(indexKey, isIndex);
      if (!entries) {
        entries = [];
        for (const crd of this.crdsIn(artifact)) {
          const summary = summarizeCrd(crd, artifact.url);
          if (!summary) continue;
          const file = `crd-${artifact.sha256.slice(0, 16)}-${summary.group}-${summary.kind}`;
          this.cache.set(file, summary);
          this.loaded.set(key(summary.group, summary.kind), summary);
          entries.push([key(summary.group, summary.kind), file]);
        }
        this.cache.set(indexKey, entries);
      }
      for (const [k, file] of entries) if (!this.pinnedIndex.has(k)) this.pinnedIndex.set(k, { file, source: artifact.url });
    }
    return this.pinnedIndex;
  }

  // The cache may have been cleared between index and file: parse the source again.
  private rebuild(k: string): CrdSummary | undefined {
    const source = this.pinnedIndex?.get(k)?.source;
    const artifact = PINNED_CRD_SOURCES.find(a => a.url === source);
    if (!artifact || !this.resolver) return undefined;
    for (const crd of this.crdsIn(artifact)) {
      const summary = summarizeCrd(crd, artifact.url);
      if (summary && key(summary.group, summary.kind) === k) return summary;
    }
    return undefined;
  }

  private safeMissing(a: UpstreamArtifact): boolean {
    try {
      return this.resolver!.missing([a]).length === 0;
    } catch {
      return false;
    }
  }

  /** The CRDs of a pinned file (its documents are parsed once per process, shared with the pin's verdicts). */
  private crdsIn(artifact: UpstreamArtifact): any[] {
    return parsedPin(artifact.url, artifact.sha256, () => this.resolver!.readText(artifact))
      .flatMap(({ parsed }) => (parsed.ok && (parsed.value as any)?.kind === 'CustomResourceDefinition' ? [parsed.value] : []));
  }
}
