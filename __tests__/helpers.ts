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

/**
 * Writes copies of `objects`, changed by `edit`, to a fresh directory as one YAML file and validates it; validation
 * errors fail the test (the checks that use it look at findings of one kind, on otherwise valid input).
 */
export function validateEdited(validator: import('../lib/validate/validator').Validator, objects: any[], edit: (objs: any[]) => void = () => {}) {
  const copy = structuredClone(objects);
  edit(copy);
  const dir = require('fs').mkdtempSync(require('path').join(require('os').tmpdir(), 'edited-'));
  require('fs').writeFileSync(require('path').join(dir, 'stack.yaml'), copy.map(o => jsyaml.dump(o)).join('---\n'));
  const result = validator.validatePaths([dir]);
  const { formatFinding } = require('../lib/validate/findings');
  expect(result.findings.filter(f => f.severity === 'error').map(formatFinding)).toEqual([]);
  return { dir, result };
}

/** An HTTPRoute imported by name (in a scratch chart of its own: an imported route emits nothing). */
export function routeRef(name: string, namespace: string): import('../lib').IHttpRouteRef {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { HttpRouteRef } = require('../lib') as typeof import('../lib');
  return HttpRouteRef.fromHttpRouteAttributes(Testing.chart(), 'Route', { name, namespace });
}

/**
 * `build`, then what synthesizing its app reports: the constructs' problems, thrown as one error per construct in the
 * form `<Kind> <path>: <problem>` (or `<Kind> <path>: N problems:` and one `  - <problem>` line each), joined by
 * newlines. Construction itself never throws for bad props: cdk8s collects every construct's problems at synth.
 */
export function synthesizing(build: () => unknown): () => void {
  return () => {
    const made = build() as { node?: { root: import('constructs').IConstruct } };
    if (!made?.node) throw new Error('synthesizing(): build must return the construct it made');
    const byConstruct = new Map<string, string[]>();
    for (const c of made.node.root.node.findAll()) {
      for (const line of c.node.validate()) {
        const m = /^([\w.]+): ([\s\S]*)$/.exec(line);
        const key = m ? `${m[1]} ${c.node.path}` : `${c.node.path}`;
        byConstruct.set(key, [...(byConstruct.get(key) ?? []), m ? m[2] : line]);
      }
    }
    if (byConstruct.size === 0) return;
    throw new Error([...byConstruct].map(([head, ps]) => (ps.length === 1 ? `${head}: ${ps[0]}` : `${head}: ${ps.length} problems:\n${ps.map(p => `  - ${p}`).join('\n')}`)).join('\n'));
  };
}
