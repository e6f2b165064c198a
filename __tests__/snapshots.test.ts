// Whole-output pins: any change to what a chart emits shows up here for review. Upstream manifests are pinned by
// URL, digest and document count (their content is compared with upstream itself in platform.test.ts).
import { ApiObject, App, Chart } from 'cdk8s';
import { LlmServingStack } from '../lib';
import { UpstreamManifest } from '../lib/platform/upstream-manifest';
import { mirrorResolver } from './helpers';

function summarize(chart: Chart): any[] {
  return chart.node.findAll().flatMap(c => {
    if (c instanceof UpstreamManifest) {
      const reEmitted = c.documents.filter(d => 'object' in d).length;
      return [`upstream ${c.artifact.url} sha256:${c.artifact.sha256} (${c.documents.length} documents, ${reEmitted} re-emitted)`];
    }
    return c instanceof ApiObject ? [c.toJson()] : [];
  });
}

describe('chart snapshots', () => {
  const app = new App();
  new LlmServingStack(app, { models: [{ echoModelHeaders: true }], resolver: mirrorResolver() });

  test.each(app.charts.map(c => [c.node.id, c]))('%s chart', (_, chart) => {
    expect(summarize(chart as Chart)).toMatchSnapshot();
  });
});
