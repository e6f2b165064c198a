// Whole-output pins: any change to what a chart emits shows up here for review. Upstream manifests are pinned by
// URL, digest and document count (their content is compared with upstream itself in platform.test.ts).
import { ApiObject, App, Chart } from 'cdk8s';
import { LlmServingStack } from '../lib';
import { guidePreset } from '../lib/presets/guide';
import { UpstreamManifest } from '../lib/platform/upstream-manifest';
import { UpstreamObject } from '../lib/platform/upstream-object';
import { mirrorResolver } from './helpers';

function summarize(chart: Chart): any[] {
  return chart.node.findAll().flatMap(c => {
    if (UpstreamObject.isUpstreamObject(c)) return [];
    if (c instanceof UpstreamManifest) {
      const reEmitted = c.documents.filter(d => d.object?.modified).length;
      return [`upstream ${c.artifact.url} sha256:${c.artifact.sha256} (${c.documents.length} documents, ${reEmitted} re-emitted)`];
    }
    return c instanceof ApiObject ? [c.toJson()] : [];
  });
}

describe('chart snapshots', () => {
  const app = new App();
  new LlmServingStack(app, 'Stack', { ...guidePreset({ modelEchoHeaders: true }), resolver: mirrorResolver() });

  test.each(app.charts.map(c => [c.node.id, c]))('%s chart', (_, chart) => {
    expect(summarize(chart as Chart)).toMatchSnapshot();
  });
});
