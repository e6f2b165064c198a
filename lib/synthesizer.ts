import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, Yaml } from 'cdk8s';
import { IConstruct } from 'constructs';
import { gitopsFiles } from './gitops';
import { UpstreamManifest } from './platform/upstream-manifest';
import { DocumentFacts, documentFacts } from './shared/yaml-text';

/**
 * Writes one YAML file per chart, named `<index>-<chart id>.k8s.yaml` in dependency order, so a plain sort of
 * the file names is an order kubectl can apply. Objects appear in construct order; upstream manifests appear
 * byte for byte. Throws, before writing anything, on construct validation errors and duplicate objects.
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

/** A rendered output file. */
export interface RenderedFile {
  /** File name inside the output directory. */
  readonly name: string;
  /** Its YAML text. */
  readonly content: string;
  /** What each of its documents is. */
  readonly objects: readonly DocumentFacts[];
}

/** Renders every chart to text without touching the disk. */
export function renderApp(app: App): RenderedFile[] {
  validateConstructs(app);
  const charts = app.charts;
  const seen = new Map<string, string>();
  return charts.map((chart, index) => {
    const docs: string[] = [];
    const objects: DocumentFacts[] = [];
    for (const c of chart.node.findAll()) {
      if (Chart.of(c) !== chart) continue;
      if (c instanceof UpstreamManifest) {
        for (const d of c.documents) {
          docs.push('raw' in d ? d.raw : Yaml.stringify(d.object));
          objects.push('raw' in d ? documentFacts(d.raw) : facts(d.object));
        }
      } else if (c instanceof ApiObject) {
        const json = c.toJson();
        const key = `${json.apiVersion.split('/').slice(0, -1).join('/')}/${json.kind}/${json.metadata?.namespace ?? ''}/${json.metadata?.name}`;
        const prior = seen.get(key);
        if (prior) {
          throw new Error(`Duplicate object ${json.kind} ${json.metadata?.namespace ? `${json.metadata.namespace}/` : ''}${json.metadata?.name}: ` +
            `defined by ${prior} and ${c.node.path}; give one of them another name`);
        }
        seen.set(key, c.node.path);
        docs.push(Yaml.stringify(json));
        objects.push(facts(json));
      }
    }
    return { name: `${String(index).padStart(4, '0')}-${chart.node.id}.k8s.yaml`, content: docs.join('---\n'), objects };
  });
}

function facts(o: any): DocumentFacts {
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata?.name, namespace: o.metadata?.namespace };
}

function validateConstructs(app: App): void {
  const errors: string[] = [];
  for (const c of app.node.findAll() as IConstruct[]) {
    for (const e of c.node.validate()) errors.push(`[${c.node.path}] ${e}`);
  }
  if (errors.length > 0) throw new Error(`Validation failed:\n  ${errors.join('\n  ')}`);
}
