/**
 * The apply phases of dist/: each chart's objects, split where one `kubectl apply` of the whole chart would fail on a
 * fresh cluster. kubectl maps every object of a call before it applies any, so a custom resource cannot be in the
 * same call as its CRD ("no matches for kind ..."): a chart that holds both gets a `-crds` file first, then the rest,
 * then a `-resources` file with the custom resources of its own CRDs (applied once those CRDs are Established and the
 * chart's webhooks serve — KServe's ClusterStorageContainer `default` is the case in point). File names sort in
 * apply order, so `kubectl apply` of each file in name order, with the waits the README lists, works by hand too.
 */
import { apiGroup, definedGroups } from './shared/object-identity';
import { DocumentFacts } from './shared/yaml-text';

/** A chart's rendered objects, before they are split into phases. */
export interface ChartOutput {
  /** The chart's id, e.g. `kserve`. */
  readonly chart: string;
  /** Each document's exact text, in output order. */
  readonly documents: readonly string[];
  /** What each document is (same order). */
  readonly objects: readonly DocumentFacts[];
}

/** One file of dist/: a phase of the apply order. */
export interface PhaseOutput {
  /** File name, e.g. `0004-kserve.k8s.yaml`. */
  readonly name: string;
  /** Its YAML text. */
  readonly content: string;
  /** What each of its documents is. */
  readonly objects: readonly DocumentFacts[];
}

const isCrd = (o: DocumentFacts) => o.kind === 'CustomResourceDefinition' && apiGroup(o.apiVersion) === 'apiextensions.k8s.io';

/** The charts' outputs as numbered phase files, in apply order. */
export function splitPhases(charts: readonly ChartOutput[]): PhaseOutput[] {
  const parts = charts.flatMap(chart => {
    const role = chart.objects.map(roleIn(chart));
    const all = chart.documents.map((_, i) => i);
    if (!role.includes('resource')) return [{ chart, suffix: '', indices: all }];
    return (['crd', 'rest', 'resource'] as const)
      .map(r => ({ chart, suffix: SUFFIX[r], indices: all.filter(i => role[i] === r) }))
      .filter(p => p.indices.length > 0);
  });
  return parts.map((p, index) => ({
    name: `${String(index).padStart(4, '0')}-${p.chart.chart}${p.suffix}.k8s.yaml`,
    content: p.indices.map(i => p.chart.documents[i]).join('---\n'),
    objects: p.indices.map(i => p.chart.objects[i]),
  }));
}

const SUFFIX = { crd: '-crds', rest: '', resource: '-resources' } as const;

/** Whether each object of a chart is a CRD, a custom resource of one of the chart's CRDs, or anything else. */
function roleIn(chart: ChartOutput): (o: DocumentFacts) => keyof typeof SUFFIX {
  const groups = definedGroups(chart.objects);
  return o => (isCrd(o) ? 'crd' : o.kind && groups.has(apiGroup(o.apiVersion)) ? 'resource' : 'rest');
}
