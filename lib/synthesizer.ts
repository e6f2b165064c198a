import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { gitopsFiles } from './gitops';
import { ChartOutput, PhaseOutput, splitPhases } from './phases';
import { UpstreamManifest } from './platform/upstream-manifest';
import { UpstreamObject } from './platform/upstream-object';
import { jsYamlLibrary } from './shared/imports';
import { DocumentFacts } from './shared/yaml-text';

/**
 * Writes one YAML file per apply phase (a chart, split where it holds custom resources of its own CRDs; see
 * `phases.ts`), named `<index>-<chart id>[-crds|-resources].k8s.yaml` in dependency order, so a plain sort of the
 * file names is an order kubectl can apply. Objects appear in construct order; upstream manifests appear
 * byte for byte. Throws, before writing anything, when any construct's validation fails (duplicate objects
 * included).
 *
 * @returns the paths written
 */
export function synthesizeApp(app: App, outdir: string): string[] {
  const files = renderApp(app);
  const written = [...files, ...gitopsFiles(files)].map(({ name, content }) => {
    const file = path.join(outdir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    return file;
  });
  return written.slice(0, files.length);
}

/** A rendered output file: one phase of dist/. */
export type RenderedFile = PhaseOutput;

/**
 * Renders every chart to text without touching the disk. The objects are the ones plain `app.synth()` writes
 * (`__tests__/slow/plain-synth.slow.test.ts` holds the two paths to that); the difference is that unchanged upstream
 * documents are copied as upstream wrote them instead of being parsed and re-emitted.
 */
export function renderApp(app: App): RenderedFile[] {
  return splitPhases(renderCharts(app));
}

/** Every chart's documents and their facts, in apply order. */
export function renderCharts(app: App): ChartOutput[] {
  validateConstructs(app);
  return app.charts.map(chart => {
    const docs: string[] = [];
    const objects: DocumentFacts[] = [];
    for (const c of chart.node.findAll()) {
      if (Chart.of(c) !== chart) continue;
      if (c instanceof UpstreamManifest) {
        for (const d of c.documents) {
          const json = d.object?.modified ? d.object.toJson() : undefined;
          docs.push(json ? toYaml(json) : d.raw);
          objects.push(json ? facts(json) : d.facts);
        }
      } else if (c instanceof ApiObject && !UpstreamObject.isUpstreamObject(c)) {
        const json = c.toJson();
        docs.push(toYaml(json));
        objects.push(facts(json));
      }
    }
    return { chart: chart.node.id, documents: docs, objects };
  });
}

/**
 * One object as YAML that means the same to kubectl (YAML 1.1) as to any YAML 1.2 reader: js-yaml quotes every
 * string a 1.1 reader would take for something else (`on`, `yes`, `0755`, `1:20`, ...), and is about five times
 * faster than the `yaml` writer cdk8s uses (which matters at thousands of models). No folding, no anchors.
 */
export function toYaml(object: unknown): string {
  return jsYamlLibrary().dump(object, { lineWidth: -1, noRefs: true });
}

function facts(o: any): DocumentFacts {
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata?.name, namespace: o.metadata?.namespace };
}

function validateConstructs(app: App): void {
  const errors: string[] = [];
  for (const c of app.node.findAll() as IConstruct[]) {
    for (const e of c.node.validate()) errors.push(`[${c.node.path}] ${e}`);
  }
  if (errors.length > 0) throw new Error(`Validation failed: ${errors.length} problem${errors.length === 1 ? '' : 's'}, each after its construct's path:\n  ${errors.join('\n  ')}`);
}
