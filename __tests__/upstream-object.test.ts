// Upstream documents reach plain cdk8s synthesis as objects that mean to kubectl what upstream's text means.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { JsonPatch, Testing, Yaml } from 'cdk8s';
import * as YAML from 'yaml';
import { UpstreamManifest, UpstreamManifestProps } from '../lib/platform/upstream-manifest';
import { UpstreamObject } from '../lib/platform/upstream-object';
import { renderApp } from '../lib/synthesizer';
import { UpstreamArtifact } from '../lib/upstream/artifacts';
import { UpstreamResolver } from '../lib/upstream/resolver';

// YAML 1.1 scalars that a YAML 1.2 reader would take differently, and a timestamp that kubectl sends as a string.
const TEXT = `# a license header, as cert-manager's manifest starts with
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: tricky
  namespace: demo
  creationTimestamp: null
data:
  enabled: "on"
  since: "2024-01-01"
binaryData: {}
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  switch: on
  answer: yes
  mode: 0755
  day: 2024-01-01
  big: 12345678901
`;

function manifest(props: Partial<UpstreamManifestProps> = {}) {
  const mirror = fs.mkdtempSync(path.join(os.tmpdir(), 'upstream-object-'));
  const url = 'https://example.com/v1/tricky.yaml';
  const artifact: UpstreamArtifact = { component: 'kserve', version: 'v1', url, sha256: crypto.createHash('sha256').update(TEXT).digest('hex'), size: TEXT.length };
  fs.mkdirSync(path.join(mirror, 'example.com', 'v1'), { recursive: true });
  fs.writeFileSync(path.join(mirror, 'example.com', 'v1', 'tricky.yaml'), TEXT);
  const chart = Testing.chart();
  const m = new UpstreamManifest(chart, 'Tricky', { artifact, resolver: new UpstreamResolver({ mirror, allowDownload: false, cacheDir: mirror }), ...props });
  return { chart, m };
}

describe('UpstreamObject', () => {
  test('is an ApiObject per document with a kind, so Testing.synth() sees it, meaning what kubectl reads', () => {
    const { chart } = manifest();
    const [configMap, widget] = Testing.synth(chart);
    expect(configMap.metadata).toEqual({ name: 'tricky', namespace: 'demo', creationTimestamp: null });
    expect(widget.spec).toEqual({ switch: true, answer: true, mode: 493, day: '2024-01-01', big: 12345678901 });
  });

  test('keeps its meaning through cdk8s\'s YAML output (what app.synth() writes)', () => {
    const { chart } = manifest();
    const objects = Testing.synth(chart);
    const reread = YAML.parseAllDocuments(Yaml.stringify(...objects), { version: '1.1' }).map(d => d.toJS());
    expect(reread[0].data).toEqual({ enabled: 'on', since: '2024-01-01' });
    expect(reread[1].spec).toEqual(objects[1].spec);
  });

  test('is copied byte for byte by the fast renderer, comments included, until something patches it', () => {
    const { chart, m } = manifest();
    expect(renderApp(Testing.app() as any)).toEqual([]);
    const app = chart.node.root as any;
    expect(renderApp(app)[0].content).toBe(TEXT);
    m.apiObjects[1].addJsonPatch(JsonPatch.add('/spec/extra', 'x'));
    expect(renderApp(app)[0].content).toContain('extra: x');
    expect(UpstreamObject.isUpstreamObject(m.apiObjects[0])).toBe(true);
    expect(UpstreamObject.isUpstreamObject(new (require('cdk8s').ApiObject)(chart, 'Own', { apiVersion: 'v1', kind: 'Secret' }))).toBe(false);
  });
});

describe('UpstreamManifest include', () => {
  test('leaves out the documents it refuses, for plain synth and the fast renderer alike, and keeps the rest byte for byte', () => {
    const seen: (string | undefined)[] = [];
    const { chart, m } = manifest({ include: doc => (seen.push(doc.kind), doc.kind !== 'ConfigMap') });
    expect(seen).toEqual([undefined, 'ConfigMap', 'Widget']);
    expect(m.documents.map(d => d.facts.kind)).toEqual([undefined, 'Widget']);
    expect(Testing.synth(chart).map(o => o.kind)).toEqual(['Widget']);
    const content = renderApp(chart.node.root as any)[0].content;
    expect(content).toBe(TEXT.split(/^---\n/m).filter(d => !/^kind: ConfigMap$/m.test(d)).join('---\n'));
  });
});

describe('the renderer\'s YAML writer', () => {
  test('quotes every string a YAML 1.1 reader (kubectl) would take for something else', () => {
    const tricky = ['on', 'off', 'yes', 'no', 'y', 'N', 'true', 'False', '0755', '0x1F', '1:20', '1e3', '.5', '~', 'null', '', '2024-01-01', '<<', '12345678901234567890'];
    const object = { data: Object.fromEntries(tricky.map((v, i) => [`k${i}`, v])), n: 8080, b: true };
    const { toYaml } = require('../lib/synthesizer');
    expect(YAML.parse(toYaml(object), { version: '1.1', customTags: t => t.filter((x: any) => x.tag !== 'tag:yaml.org,2002:timestamp') })).toEqual(object);
    expect(YAML.parse(toYaml(object), { version: '1.2' })).toEqual(object);
  });
});
