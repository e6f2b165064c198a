/**
 * The differential test's corpus: every object of every profile's dist/ (deduplicated: the profiles share most of
 * their objects), the CRDs and Namespaces to install first, and the schemas of the kinds they use.
 *
 * Dev and test tooling: the library never imports this file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { decodeYaml } from '../../lib/validate/yaml-decode';
import { splitWithLines } from '../../lib/validate/documents';
import { ApiServer } from './server-judge';
import { CrdSchemaSource, OpenApiSchemaSource, Schemas } from './schemas';

/** One object of a profile's dist/. */
export interface DistObject {
  readonly profile: string;
  readonly file: string;
  readonly object: any;
}

/** The objects of a dist/ directory, decoded as kubectl decodes them. */
export function distObjects(profile: string, dist: string): DistObject[] {
  const out: DistObject[] = [];
  for (const name of fs.readdirSync(dist).filter(f => f.endsWith('.k8s.yaml')).sort()) {
    const file = path.join(dist, name);
    for (const doc of splitWithLines(fs.readFileSync(file, 'utf8'))) {
      const decoded = decodeYaml(doc.text);
      const object = decoded.ok ? JSON.parse(JSON.stringify(decoded.value ?? null)) : undefined;
      if (object && typeof object === 'object') out.push({ profile, file, object });
    }
  }
  return out;
}

/** The distinct objects among several dist/ directories (the first occurrence of each, by content). */
export function distinctObjects(all: readonly DistObject[]): any[] {
  const seen = new Set<string>();
  const out: any[] = [];
  for (const { object } of all) {
    const key = JSON.stringify(object);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(object);
    }
  }
  return out;
}

/** A v1 List of the objects of the given kinds (for `kubectl apply -f -`), each once by identity. */
export function streamOf(objects: readonly any[], kinds: readonly string[]): string {
  const byName = new Map<string, any>();
  for (const o of objects) if (kinds.includes(o.kind)) byName.set(`${o.kind}/${o.metadata?.name}`, o);
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...byName.values()] });
}

/** The schemas of the corpus' kinds: custom resources from its CRDs, built-in kinds from the server's OpenAPI v3. */
export async function schemasFor(objects: readonly any[], server: ApiServer): Promise<Schemas> {
  const crds = objects.filter(o => o.kind === 'CustomResourceDefinition');
  const customGroups = new Set(crds.map(c => c.spec?.group));
  const builtinVersions = [...new Set(objects.map(o => String(o.apiVersion)).filter(v => !customGroups.has(v.split('/')[0]) || !v.includes('/')))].sort();
  const documents: any[] = [];
  for (const v of builtinVersions) {
    const r = await server.request('GET', v.includes('/') ? `/openapi/v3/apis/${v}` : `/openapi/v3/api/${v}`);
    if (r.status === 200) documents.push(JSON.parse(r.body));
  }
  return new Schemas([new CrdSchemaSource(crds), new OpenApiSchemaSource(documents)]);
}
