// dist/gitops/ builds with stock kustomize (the real `kubectl kustomize`, default load restrictor), and what it builds
// is dist/'s objects, each with only its phase's Argo CD annotations added.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import * as YAML from 'yaml';
import { TEST_DIST } from '../global-setup';

const parse = (text: string) => YAML.parseAllDocuments(text, { version: '1.1' }).map(d => d.toJS()).filter(o => o?.kind);
const identity = (o: any) => `${o.apiVersion}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
const kustomize = (dir: string) => parse(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }));

function withoutArgoAnnotations(o: any): any {
  const copy = structuredClone(o);
  const annotations = copy.metadata?.annotations ?? {};
  delete annotations['argocd.argoproj.io/sync-wave'];
  delete annotations['argocd.argoproj.io/sync-options'];
  if (copy.metadata && Object.keys(annotations).length === 0) delete copy.metadata.annotations;
  return copy;
}

describe('dist/gitops with stock kubectl kustomize', () => {
  const phases = fs.readdirSync(TEST_DIST).filter(f => f.endsWith('.k8s.yaml')).sort();

  test('the whole builds, and holds every object of dist/ once, with its phase as sync wave', () => {
    const built = kustomize(path.join(TEST_DIST, 'gitops'));
    const expected = phases.flatMap((f, wave) => parse(fs.readFileSync(path.join(TEST_DIST, f), 'utf8')).map(o => ({ o, wave })));
    expect(built.map(identity).sort()).toEqual(expected.map(e => identity(e.o)).sort());
    const byId = new Map(built.map(o => [identity(o), o]));
    for (const { o, wave } of expected) {
      const b = byId.get(identity(o));
      expect(b.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe(String(wave));
      expect(withoutArgoAnnotations(b)).toEqual(o);
    }
  });

  test.each(phases)('phase %s builds on its own, with the objects of its dist/ file', phase => {
    const ids = (text: string) => (jsyaml.loadAll(text) as any[]).filter(o => o?.kind).map(identity).sort();
    const built = execFileSync('kubectl', ['kustomize', path.join(TEST_DIST, 'gitops', phase.replace('.k8s.yaml', ''))], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    expect(ids(built)).toEqual(ids(fs.readFileSync(path.join(TEST_DIST, phase), 'utf8')));
  });
});
