// Plain cdk8s synthesis (`app.synth()`, what `cdk8s synth` in a consumer's project runs) and this project's own
// renderer (`npm run synth`) must write the same objects for the whole stack, with every upstream scalar meaning
// what it means to kubectl (YAML 1.1).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { LlmServingStack } from '../../lib';
import { splitDocuments } from '../../lib/platform/upstream-manifest';
import { parseAsKubectl } from '../../lib/platform/upstream-object';
import { guidePreset } from '../../lib/presets/guide';
import { renderApp } from '../../lib/synthesizer';
import { mirrorResolver } from '../helpers';

const identity = (o: any) => `${o.apiVersion}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
const byIdentity = (objects: any[]) => new Map(objects.map(o => [identity(o), o]));

function guideApp(outdir: string): App {
  const app = new App({ outdir });
  new LlmServingStack(app, 'Stack', { ...guidePreset({ modelEchoHeaders: true }), resolver: mirrorResolver() });
  return app;
}

describe('plain cdk8s synthesis', () => {
  test('writes the same objects as the fast renderer for the whole stack, YAML 1.1 meaning kept', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'plain-synth-'));
    guideApp(outdir).synth();
    // What kubectl reads from each path: both parsed as YAML 1.1.
    const plain = fs.readdirSync(outdir).sort().flatMap(f => YAML.parseAllDocuments(fs.readFileSync(path.join(outdir, f), 'utf8'), { version: '1.1' })
      .map(d => d.toJS()).filter(o => o));
    const fast = renderApp(guideApp(outdir)).flatMap(f => splitDocuments(f.content).map(parseAsKubectl).filter(o => o?.kind));
    expect(plain.length).toBe(fast.length);
    const fastById = byIdentity(fast);
    expect([...byIdentity(plain).keys()].sort()).toEqual([...fastById.keys()].sort());
    for (const o of plain) expect(o).toEqual(fastById.get(identity(o)));
  });

  test('Testing.synth() of a platform chart holds its upstream objects', () => {
    const app = Testing.app();
    const stack = new LlmServingStack(app, 'Stack', { ...guidePreset(), resolver: mirrorResolver() });
    const objects = Testing.synth(stack.kserve!.node.scope as any);
    expect(objects.filter(o => o.kind === 'CustomResourceDefinition').length).toBe(16);
    expect(objects.find(o => o.kind === 'ClusterStorageContainer')?.metadata.name).toBe('default');
  });
});
