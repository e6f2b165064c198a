/**
 * Cheap facts about a YAML document read from its top-level lines, without parsing it: enough to route megabytes
 * of machine-written, block-style manifests (kind, name, namespace) and to parse only the few documents that need
 * it. One pass over the line starts; nested content is skipped, never matched.
 */
import { yamlLibrary } from './imports';

/** What the top-level lines of a document say. */
export interface DocumentFacts {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
}

const SCALAR = /^[ \t]*["']?([^"'\s#]+)["']?[ \t]*(?:#.*)?$/;

/** Reads apiVersion, kind, metadata.name and metadata.namespace from a block-style document. */
export function documentFacts(text: string): DocumentFacts {
  const facts: { apiVersion?: string; kind?: string; name?: string; namespace?: string } = {};
  let inMetadata = false;
  for (let start = 0; start < text.length;) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const first = text.charCodeAt(start);
    if (first !== 32 && first !== 9 && first !== 35 && first !== 10 && first !== 13) {
      // A top-level key (column 0).
      const line = text.slice(start, end);
      inMetadata = /^metadata:[ \t]*(#.*)?\r?$/.test(line);
      const m = /^(apiVersion|kind):(.*)$/.exec(line);
      if (m) facts[m[1] as 'apiVersion' | 'kind'] = SCALAR.exec(m[2])?.[1];
    } else if (inMetadata && text.startsWith('  ', start) && text.charCodeAt(start + 2) !== 32) {
      const m = /^ {2}(name|namespace):(.*)$/.exec(text.slice(start, end));
      if (m) facts[m[1] as 'name' | 'namespace'] = SCALAR.exec(m[2])?.[1];
    }
    start = end + 1;
  }
  return facts;
}

/** Splits a multi-document YAML text at `---` lines, dropping documents that hold only blank lines. */
export function splitDocuments(text: string): string[] {
  return text.split(/^---[ \t]*(?:#.*)?\r?\n/m)
    .filter(doc => doc.trim().length > 0)
    .map(doc => (doc.endsWith('\n') ? doc : `${doc}\n`));
}

// The YAML 1.1 schema without its timestamp type: sigs.k8s.io/yaml (what kubectl uses) turns an unquoted
// 2024-01-01 into the JSON string "2024-01-01", not a date.
const NO_TIMESTAMPS = (tags: import('yaml').Tags) => tags.filter(t => (t as { tag?: string }).tag !== 'tag:yaml.org,2002:timestamp');

/** Parses one document as kubectl does (YAML 1.1). The parser loads on first use: most readers of this module only split. */
export function parseAsKubectl(text: string): Record<string, any> {
  return yamlLibrary().parse(text, { version: '1.1', customTags: NO_TIMESTAMPS, maxAliasCount: 1000 });
}
