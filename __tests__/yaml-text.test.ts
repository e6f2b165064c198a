import * as fs from 'fs';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import { splitDocuments } from '../lib/platform/upstream-manifest';
import { documentFacts } from '../lib/shared/yaml-text';
import { TEST_DIST } from './global-setup';

describe('documentFacts', () => {
  test('reads the same apiVersion, kind, name and namespace as a YAML parser, for every document of the full stack', () => {
    const docs = fs.readdirSync(TEST_DIST).filter(f => f.endsWith('.k8s.yaml'))
      .flatMap(f => splitDocuments(fs.readFileSync(path.join(TEST_DIST, f), 'utf8')));
    const parsed = docs.map(d => jsyaml.load(d) as any).map(o => o && ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata?.name, namespace: o.metadata?.namespace }));
    const facts = docs.map((d, i) => (parsed[i] ? documentFacts(d) : null));
    expect(docs.length).toBeGreaterThan(130);
    expect(facts).toEqual(parsed.map(p => (p ? expect.objectContaining(Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined))) : null)));
  });

  test('ignores nested keys that look like top-level ones', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\ndata:\n  kind: Fake\n  name: fake\nmetadata:\n  labels:\n    name: nested\n  name: real\n  namespace: "ns"\n';
    expect(documentFacts(text)).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', name: 'real', namespace: 'ns' });
  });
});
