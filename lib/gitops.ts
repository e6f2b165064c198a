/**
 * GitOps metadata for dist/: one kustomization per phase (chart file) that gives every object its phase as an
 * Argo CD sync wave, and marks phases holding custom resources to skip Argo CD's dry run while their CRDs are
 * still missing. The manifests themselves stay byte for byte as synthesized: the annotations are added when Argo CD
 * or Flux build the kustomization, so upstream objects remain exactly upstream's for `kubectl apply -f dist/`.
 */
import { Yaml } from 'cdk8s';
import { DocumentFacts } from './shared/yaml-text';

/** Where the kustomizations go, inside the output directory (a subdirectory: `kubectl apply -f dist/` skips it). */
export const GITOPS_DIR = 'gitops';

/** Argo CD's sync-wave annotation. */
export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
/** Argo CD's per-resource sync options annotation. */
export const SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';

/** A chart file and what it holds. */
export interface PhaseFile {
  /** File name in the output directory, e.g. `0003-kserve.k8s.yaml`. */
  readonly name: string;
  /** The objects in it. */
  readonly objects: readonly DocumentFacts[];
}

/** The phase (directory) name of a chart file: `0003-kserve.k8s.yaml` → `0003-kserve`. */
export function phaseName(file: string): string {
  return file.replace(/\.k8s\.yaml$/, '');
}

/** The kustomization files for these chart files, in apply order, as paths relative to the output directory. */
export function gitopsFiles(phases: readonly PhaseFile[]): { name: string; content: string }[] {
  // A CRD is named `<plural>.<group>`: the groups the output defines are what its custom resources belong to. (A
  // kind whose CRD is not in the output must already be installed, so Argo CD's dry run finds it.)
  const customGroups = new Set(phases.flatMap(p => p.objects)
    .filter(o => o.kind === 'CustomResourceDefinition' && o.name?.includes('.'))
    .map(o => o.name!.slice(o.name!.indexOf('.') + 1)));
  const perPhase = phases.map((phase, wave) => {
    const hasCustomResources = phase.objects.some(o => o.apiVersion?.includes('/') && customGroups.has(o.apiVersion.split('/')[0]));
    return {
      name: `${GITOPS_DIR}/${phaseName(phase.name)}/kustomization.yaml`,
      content: Yaml.stringify({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: [`../../${phase.name}`],
        commonAnnotations: {
          [SYNC_WAVE]: String(wave),
          ...(hasCustomResources ? { [SYNC_OPTIONS]: 'SkipDryRunOnMissingResource=true' } : {}),
        },
      }),
    };
  });
  const all = {
    name: `${GITOPS_DIR}/kustomization.yaml`,
    content: Yaml.stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: phases.map(p => phaseName(p.name)),
    }),
  };
  return [...perPhase, all];
}
