// The objects of `npm run validate -- --existing PATH`: already in the cluster, they resolve the input's references
// (and their CRDs define kinds) but are never judged or reported.
import { BuiltinSchemas } from './builtin-schemas';
import { CrdSchemas, summarizeCrd } from './crd-schemas';
import { CannotRunError, parseDocument, RawInputDocument } from './documents';
import { KnownObject, REFERENCE_KINDS } from './references';
import { CLUSTER_SCOPED_BUILTINS, isBuildConfig, isCrd } from './verdict';

/**
 * The objects of `--existing` files, parsed (a document that does not parse, or is not an object with apiVersion,
 * kind and name, cannot stand for anything in the cluster and is a CannotRunError); their CRDs define kinds.
 */
export function readExistingObjects(docs: readonly RawInputDocument[], crds: CrdSchemas): { file: string; line: number; object: any }[] {
  const out: { file: string; line: number; object: any }[] = [];
  for (const doc of docs) {
    const parsed = parseDocument(doc);
    if (!parsed.ok) throw new CannotRunError(`cannot read existing objects from ${doc.file}:${parsed.line}: ${parsed.message}`);
    const o: any = parsed.value;
    if (o === null || o === undefined || isBuildConfig(o)) continue;
    if (typeof o !== 'object' || Array.isArray(o) || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') {
      throw new CannotRunError(`cannot read existing objects from ${doc.file}:${doc.line}: not a Kubernetes object with apiVersion, kind and metadata.name`);
    }
    if (isCrd(o)) {
      const crd = summarizeCrd(o, doc.file, doc.hash);
      if (crd) crds.addExisting(crd);
    }
    out.push({ file: doc.file, line: doc.line, object: o });
  }
  return out;
}

/** An object of the cluster as the cross-object checks see it: in `default` when namespaced and unplaced. */
export function existingKnownObject(file: string, line: number, object: any, crds: CrdSchemas, builtins: BuiltinSchemas): KnownObject {
  const { apiVersion, kind } = object;
  const crd = apiVersion.includes('/') ? crds.lookup(apiVersion.split('/')[0], kind) : undefined;
  const namespaced = crd ? crd.scope === 'Namespaced' : builtins.has(apiVersion, kind) ? !CLUSTER_SCOPED_BUILTINS.has(kind) : undefined;
  const given = typeof object.metadata.namespace === 'string' ? object.metadata.namespace : undefined;
  return {
    file, line, apiVersion, kind, name: object.metadata.name, existing: true,
    namespace: namespaced === false ? undefined : given ?? (namespaced ? 'default' : undefined),
    object: REFERENCE_KINDS.has(kind) ? object : undefined,
  };
}
