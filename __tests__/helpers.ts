import { App, Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { renderApp } from '../lib/synthesizer';

/** The Kubernetes objects a chart synthesizes, as plain JSON. */
export function objectsOf(chart: Chart): any[] {
  return Testing.synth(chart);
}

/** The one object of this kind and name; fails the test when there is not exactly one. */
export function only(objects: any[], kind: string, name?: string): any {
  const hits = objects.filter(o => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (hits.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${hits.length}`);
  return hits[0];
}

/** Every object an app renders, parsed back from the YAML text the synthesizer writes. */
export function renderedObjects(app: App): any[] {
  return renderApp(app).flatMap(f => YAML.parseAllDocuments(f.content).map(d => d.toJS()).filter(Boolean));
}

/** A fresh test chart. */
export function chart(): Chart {
  return Testing.chart();
}
