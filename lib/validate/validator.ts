/**
 * Validates YAML files of Kubernetes objects offline, with the verdict the API server would give to
 * `kubectl apply --validate=strict`, plus the references between objects that controllers resolve.
 */
import { ALL_ARTIFACTS, UpstreamArtifact } from '../upstream/artifacts';
import { UpstreamResolver } from '../upstream/resolver';
import { isDns1123Label, isDns1123Subdomain } from '../shared/validation';
import { BuiltinSchemas } from './builtin-schemas';
import { ValidationCache } from './cache';
import type { CelRules } from './cel';
import { CrdSchemas, summarizeCrd } from './crd-schemas';
import { listInputFiles, parseDocument, parsedPin, RawInputDocument, readDocuments, splitWithLines } from './documents';
import { Finding, jsonPath } from './findings';
import { crossObjectFindings } from './cross-object';
import { existingKnownObject, readExistingObjects } from './existing-objects';
import { KnownObject, REFERENCE_KINDS } from './references';
import { push } from './object-index';
import { own } from './own';
import { CLUSTER_SCOPED_BUILTINS, DocumentVerdict, isBuildConfig, isCrd, isStringList, isVerdictRecord, sha256, withSafeObject } from './verdict';

// RBAC objects' names are path segments (ValidateRBACName), not DNS subdomains: `system:controller:x` is valid.
const RBAC_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

/** Options for {@link validatePaths}. */
export interface ValidateOptions {
  /**
   * Treat warnings as errors.
   * @default false
   */
  readonly strict?: boolean;
  /**
   * Where the pinned stack's CRDs (and the upstream files whose objects may be judged once per pin) are read from;
   * `null` to use only what the input holds.
   * @default UpstreamResolver.default()
   */
  readonly resolver?: UpstreamResolver | null;
  /**
   * Where compiled schemas and per-pin verdicts are kept between runs.
   * @default ValidationCache.default()
   */
  readonly cache?: ValidationCache;
  /**
   * Keep verdicts on the input's own files in the cache too, so an unchanged file is not judged again; `false` to
   * judge every document (what `npm run bench` measures).
   * @default true
   */
  readonly cacheVerdicts?: boolean;
  /**
   * Files or directories of objects that already exist in the target cluster (a Gateway, a Namespace or a CRD the
   * input uses but does not create): they resolve the input's references, and are neither judged nor reported.
   * @default - none: every reference must resolve within the input
   */
  readonly existing?: readonly string[];
}

/** What a validation found. */
export interface ValidationResult {
  /** Every finding, ordered by file and line. */
  readonly findings: Finding[];
  /** Objects judged. */
  readonly objects: number;
  /** Files read. */
  readonly files: number;
  /** No errors (and, under `strict`, no warnings). */
  readonly ok: boolean;
}

/** The engine: schemas, CEL and caches, reusable across calls in one process. */
export class Validator {
  private readonly cache: ValidationCache;
  private readonly resolver?: UpstreamResolver;
  private readonly cacheVerdicts: boolean;
  private readonly builtins = new BuiltinSchemas();
  private celRules?: CelRules;
  private structural?: typeof import('./structural');

  constructor(options: ValidateOptions = {}) {
    this.cache = options.cache ?? ValidationCache.default();
    this.resolver = options.resolver === null ? undefined : options.resolver ?? UpstreamResolver.default();
    this.cacheVerdicts = options.cacheVerdicts ?? true;
  }

  /**
   * Validates files and directories of YAML; `existing` lists files and directories of objects already in the cluster
   * (see {@link ValidateOptions.existing}). Throws CannotRunError when an input cannot be read.
   */
  public validatePaths(paths: readonly string[], strict = false, existing: readonly string[] = []): ValidationResult {
    const files = listInputFiles(paths);
    const docs = files.flatMap(f => readDocuments(f));
    const existingDocs = listInputFiles(existing).flatMap(f => readDocuments(f));
    return this.validateDocuments(docs, files.length, strict, existingDocs);
  }

  /** Validates documents already read; `existing` are documents of objects already in the cluster. */
  public validateDocuments(docs: readonly RawInputDocument[], fileCount: number, strict = false, existing: readonly RawInputDocument[] = []): ValidationResult {
    const crds = new CrdSchemas(this.resolver, this.cache);
    const cluster = readExistingObjects(existing, crds);
    const pinned = this.pinnedVerdicts(docs);
    const findings: Finding[] = [];
    const known: KnownObject[] = [];
    const parsed: { doc: RawInputDocument; object: any }[] = [];

    // First pass: identities and CRDs, so the input's CRDs are known before any custom resource is judged.
    const verdicts = new Map<RawInputDocument, DocumentVerdict>();
    for (const doc of docs) {
      const cached = pinned.get(doc.hash);
      if (cached) {
        verdicts.set(doc, cached);
        if (cached.crd) crds.addFromInput(cached.crd);
        continue;
      }
      const result = parseDocument(doc);
      if (!result.ok) {
        findings.push({ file: doc.file, line: result.line, path: '', message: result.message, severity: 'error', rule: 'yaml' });
        continue;
      }
      for (const w of result.warnings ?? []) findings.push({ file: doc.file, line: w.line, path: '', message: w.message, severity: 'warning', rule: 'yaml-duplicate-key' });
      if (result.value === null || result.value === undefined || isBuildConfig(result.value)) continue;
      parsed.push({ doc, object: result.value });
      const crd = isCrd(result.value) ? summarizeCrd(result.value, doc.file, doc.hash) : undefined;
      if (crd) crds.addFromInput(crd);
    }
    for (const [doc, verdict] of this.inputVerdicts(parsed, crds)) verdicts.set(doc, verdict);

    for (const [doc, v] of verdicts) {
      const where = { file: doc.file, kind: v.kind, namespace: v.namespace, name: v.name };
      for (const f of v.findings) findings.push({ ...where, line: f.line ?? doc.line, path: f.path, message: f.message, severity: f.severity, rule: f.rule });
      if (v.kind && v.apiVersion && v.name) {
        known.push({ file: doc.file, line: doc.line, apiVersion: v.apiVersion, kind: v.kind, namespace: v.namespace, name: v.name, object: v.object, pinned: pinned.has(doc.hash) });
      }
    }

    // After the input's CRDs: an input CRD wins over the cluster's for the scope of what exists.
    for (const { file, line, object } of cluster) known.push(existingKnownObject(file, line, object, crds, this.builtins));
    const scope = (o: KnownObject) => {
      if (o.apiVersion.includes('/')) {
        const crd = crds.lookup(o.apiVersion.split('/')[0], o.kind);
        if (crd) return crd.scope === 'Namespaced';
      }
      return this.builtins.has(o.apiVersion, o.kind) ? !CLUSTER_SCOPED_BUILTINS.has(o.kind) : undefined;
    };
    findings.push(...crossObjectFindings(known, scope));

    findings.sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0));
    const failing = findings.filter(f => f.severity === 'error' || strict);
    return { findings, objects: known.filter(o => !o.existing).length, files: fileCount, ok: failing.length === 0 };
  }

  /**
   * Verdicts on the input's own documents, cached per file: a verdict depends only on the document's text and on
   * the schema it is judged by (built-in, a pinned CRD, or a CRD of the input by digest), so an unchanged file is
   * not judged again (`npm run synth` validates the same app objects on every run).
   */
  private inputVerdicts(parsed: readonly { doc: RawInputDocument; object: any }[], crds: CrdSchemas): Map<RawInputDocument, DocumentVerdict> {
    const out = new Map<RawInputDocument, DocumentVerdict>();
    const byFile = new Map<string, { doc: RawInputDocument; object: any; schema: string }[]>();
    for (const p of parsed) {
      const entry = { ...p, schema: this.cacheVerdicts ? this.schemaKey(p.object, crds) : undefined };
      if (entry.schema === undefined) {
        out.set(p.doc, this.judgeSafely(p.object, crds));
        continue;
      }
      // Appended in place: a copy of the file's list per document made one file of n documents cost n² (#16).
      push(byFile, p.doc.file, entry as typeof entry & { schema: string });
    }
    for (const entries of byFile.values()) {
      const key = `verdicts-${sha256(entries.map(e => `${e.doc.hash}:${e.schema}`).join('\n'))}`;
      const cached = this.cache.get(key, isVerdictRecord);
      if (cached && entries.every(e => Object.hasOwn(cached, e.doc.hash))) {
        for (const e of entries) out.set(e.doc, withSafeObject(cached[e.doc.hash]));
        continue;
      }
      const fresh: Record<string, DocumentVerdict> = Object.create(null);
      for (const e of entries) out.set(e.doc, (fresh[e.doc.hash] = this.judgeSafely(e.object, crds)));
      if (entries.every(e => !fresh[e.doc.hash].findings.some(f => f.rule === 'internal'))) this.cache.set(key, fresh);
    }
    return out;
  }

  /** What a document's verdict is judged by, as a cache key; undefined when it is not worth caching. */
  private schemaKey(object: any, crds: CrdSchemas): string | undefined {
    const apiVersion = object?.apiVersion;
    const kind = object?.kind;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
    if (this.builtins.has(apiVersion, kind)) return 'builtin';
    const crd = apiVersion.includes('/') ? crds.lookup(apiVersion.split('/')[0], kind) : undefined;
    return crd ? `crd:${crd.digest ?? crd.source}` : undefined;
  }

  // One object that trips a bug of ours is one finding, not a failed run for every other object.
  private judgeSafely(object: any, crds: CrdSchemas): DocumentVerdict {
    try {
      return this.judge(object, crds);
    } catch (e: any) {
      return { findings: [{ path: '', message: `internal error while validating this object: ${e?.message ?? e}`, rule: 'internal', severity: 'error' }] };
    }
  }

  /** Schema verdict on one object (no references). */
  private judge(object: any, crds: CrdSchemas): DocumentVerdict {
    const findings: DocumentVerdict['findings'] = [];
    const add = (p: string, message: string, rule = 'schema') => findings.push({ path: p, message, rule, severity: 'error' });
    if (typeof object !== 'object' || Array.isArray(object)) {
      add('', 'Invalid value: a Kubernetes object must be a mapping with apiVersion and kind');
      return { findings };
    }
    const { apiVersion, kind } = object;
    const meta = object.metadata ?? {};
    const identity = {
      apiVersion: typeof apiVersion === 'string' ? apiVersion : undefined,
      kind: typeof kind === 'string' ? kind : undefined,
      namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined,
      name: typeof meta.name === 'string' ? meta.name : undefined,
    };
    const verdict = { ...identity, findings, object: identity.kind && REFERENCE_KINDS.has(identity.kind) ? object : undefined };
    if (!identity.apiVersion) add('.apiVersion', 'Required value: apiVersion must be set');
    if (!identity.kind) add('.kind', 'Required value: kind must be set');
    if (!identity.apiVersion || !identity.kind) return verdict;
    if (!identity.name && !meta.generateName) add('.metadata.name', 'Required value: name or generateName is required');
    if (identity.name !== undefined && !isDns1123Subdomain(identity.name) && !RBAC_KINDS.has(identity.kind)) {
      add('.metadata.name', `Invalid value: ${JSON.stringify(identity.name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`);
    }
    if (identity.namespace !== undefined && !isDns1123Label(identity.namespace)) {
      add('.metadata.namespace', `Invalid value: ${JSON.stringify(identity.namespace)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`);
    }
    if ((identity.kind === 'Namespace' || identity.kind === 'Service') && identity.name && !isDns1123Label(identity.name)) {
      add('.metadata.name', `Invalid value: ${JSON.stringify(identity.name)}: a ${identity.kind} name must be a DNS-1123 label (at most 63 characters, no dots)`);
    }

    const [group, version] = identity.apiVersion.includes('/') ? identity.apiVersion.split('/') : ['', identity.apiVersion];
    // kubectl sends a namespaced object without metadata.namespace to the context's namespace: `default` here.
    const inNamespace = (namespaced: boolean) => (namespaced ? identity.namespace ?? 'default' : identity.namespace);
    // Cross-object checks read only objects whose JSON types are right; the rest count by identity alone.
    const trusted = (issues: readonly { shape?: boolean }[]) => (issues.some(i => i.shape) ? { object: undefined } : {});
    if (this.builtins.has(identity.apiVersion, identity.kind)) {
      const issues = this.builtins.validate(object);
      for (const issue of issues) add(issue.path, issue.message);
      return { ...verdict, namespace: inNamespace(!CLUSTER_SCOPED_BUILTINS.has(identity.kind)), ...trusted(issues) };
    }
    const crd = group ? crds.lookup(group, identity.kind) : undefined;
    if (!crd) {
      add('', `no matches for kind "${identity.kind}" in version "${identity.apiVersion}": not a built-in kind, and no CRD for it in the input or the pinned stack`, 'unknown-kind');
      return { ...verdict, object: undefined };
    }
    if (!Object.hasOwn(crd.versions, version)) {
      add('.apiVersion', `no matches for kind "${identity.kind}" in version "${identity.apiVersion}": the CRD (${crd.source}) serves ${Object.keys(crd.versions).map(v => `${group}/${v}`).join(', ')}`, 'unknown-kind');
      return { ...verdict, object: undefined };
    }
    const schema = own(crd.versions, version);
    const issues = schema ? this.customResources().validateAgainstSchema(object, schema, this.cel()) : [];
    for (const issue of issues) add(jsonPath(issue.path), issue.message, issue.rule);
    return { ...verdict, namespace: inNamespace(crd.scope === 'Namespaced'), ...trusted(issues), crd: identity.kind === 'CustomResourceDefinition' ? summarizeCrd(object, 'input') : undefined };
  }

  // Schema and CEL machinery load on first use (@bufbuild/cel alone is ~100 ms): a run over built-in kinds, or over
  // documents whose verdicts are cached per pin, never pays for them.
  private customResources(): typeof import('./structural') {
    return (this.structural ??= require('./structural') as typeof import('./structural'));
  }

  private cel(): CelRules {
    return (this.celRules ??= (require('./cel') as typeof import('./cel')).sharedCelRules());
  }

  /**
   * Verdicts for documents that are byte for byte a document of a pinned upstream file: judged once per pin, then
   * cached. Only pins sharing a document with the input are looked at.
   */
  private pinnedVerdicts(docs: readonly RawInputDocument[]): Map<string, DocumentVerdict> {
    const out = new Map<string, DocumentVerdict>();
    if (!this.resolver) return out;
    const wanted = new Set(docs.map(d => d.hash));
    for (const artifact of ALL_ARTIFACTS) {
      const hashes = this.pinHashes(artifact);
      if (!hashes || !hashes.some(h => wanted.has(h))) continue;
      const key = `pin-${artifact.sha256}`;
      let verdicts = this.cache.get(key, isVerdictRecord);
      if (!verdicts) {
        verdicts = {};
        const crds = new CrdSchemas(this.resolver, this.cache);
        const objects: { hash: string; line: number; object: any }[] = [];
        for (const { doc: d, parsed: r } of parsedPin(artifact.url, artifact.sha256, () => this.resolver!.readText(artifact))) {
          if (!r.ok) {
            verdicts[d.hash] = { findings: [{ path: '', message: r.message, rule: 'yaml', severity: 'error', line: r.line }] };
            continue;
          }
          objects.push({ hash: d.hash, line: d.line, object: r.value });
          if (isCrd(r.value)) {
            const s = summarizeCrd(r.value, artifact.url);
            if (s) crds.addFromInput(s);
          }
        }
        for (const { hash, object } of objects) verdicts[hash] = this.judge(object, crds);
        this.cache.set(key, verdicts);
      }
      for (const [h, v] of Object.entries(verdicts)) if (wanted.has(h)) out.set(h, withSafeObject(v));
    }
    return out;
  }

  private pinHashes(artifact: UpstreamArtifact): string[] | undefined {
    const key = `pin-hashes-${artifact.sha256}`;
    const cached = this.cache.get(key, isStringList);
    if (cached) return cached;
    try {
      if (this.resolver!.missing([artifact]).length > 0) return undefined;
    } catch {
      return undefined;
    }
    const hashes = splitWithLines(this.resolver!.readText(artifact)).map(d => sha256(d.text));
    this.cache.set(key, hashes);
    return hashes;
  }
}

/** Validates files and directories with a fresh engine: the library entry point. */
export function validatePaths(paths: readonly string[], options: ValidateOptions = {}): ValidationResult {
  return new Validator(options).validatePaths(paths, options.strict ?? false, options.existing ?? []);
}
