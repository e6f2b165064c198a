import { App, Chart, Testing } from 'cdk8s';
import * as jsyaml from 'js-yaml';
import { renderApp } from '../lib/synthesizer';
import { UpstreamResolver } from '../lib/upstream/resolver';

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
  return renderApp(app).flatMap(f => parseAll(f.content));
}

/** A fresh test chart. */
export function chart(): Chart {
  return Testing.chart();
}

/** The read-only upstream mirror beside the checkout (CI sets UPSTREAM_MIRROR to it). */
export const MIRROR = process.env.UPSTREAM_MIRROR ?? require('path').join(__dirname, '..', '..', 'shared', 'upstream');

/** A resolver that reads only the mirror: no cache, no downloads. */
export function mirrorResolver(): UpstreamResolver {
  return new UpstreamResolver({ mirror: MIRROR, cacheDir: require('path').join(require('os').tmpdir(), 'no-upstream-cache'), allowDownload: false });
}

/** Parses a multi-document YAML text quickly (js-yaml), dropping empty documents. */
export function parseAll(text: string): any[] {
  return jsyaml.loadAll(text).filter(d => d !== null && d !== undefined);
}
