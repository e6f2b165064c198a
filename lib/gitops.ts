/**
 * GitOps output in dist/gitops/: one directory per phase (dist/ file) holding that phase's manifest and a
 * kustomization that gives every object its phase as an Argo CD sync wave, and marks phases holding custom resources
 * to skip Argo CD's dry run while their CRDs are still missing; a root kustomization lists the phases. Each
 * kustomization refers only to files in its own directory, so stock kustomize, Argo CD and Flux build it with their
 * default load restrictor. The manifests are the dist/ files byte for byte: the annotations are added when the
 * kustomization is built, so upstream objects remain exactly upstream's for `kubectl apply -f dist/`.
 */
import { Yaml } from 'cdk8s';
import { apiGroup, definedGroups } from './shared/object-identity';
import type { PhaseOutput } from './phases';

/** Where the kustomizations go, inside the output directory (a subdirectory: `kubectl apply -f dist/` skips it). */
export const GITOPS_DIR = 'gitops';

/** Argo CD's sync-wave annotation. */
export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
/** Argo CD's per-resource sync options annotation. */
export const SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';


/** The phase (directory) name of a chart file: `0003-kserve.k8s.yaml` → `0003-kserve`. */
export function phaseName(file: string): string {
  return file.replace(/\.k8s\.yaml$/, '');
}

/** The kustomization files for these chart files, in apply order, as paths relative to the output directory. */
export function gitopsFiles(phases: readonly PhaseOutput[]): { name: string; content: string }[] {
  // The custom resources are those of groups the output's CRDs define. (A kind whose CRD is not in the output must
  // already be installed, so Argo CD's dry run finds it.)
  const customGroups = definedGroups(phases.flatMap(p => p.objects));
  const perPhase = phases.flatMap((phase, wave) => {
    const dir = `${GITOPS_DIR}/${phaseName(phase.name)}`;
    const hasCustomResources = phase.objects.some(o => o.apiVersion?.includes('/') && customGroups.has(apiGroup(o.apiVersion)));
    return [
      { name: `${dir}/${phase.name}`, content: phase.content },
      {
        name: `${dir}/kustomization.yaml`,
        content: Yaml.stringify({
          apiVersion: 'kustomize.config.k8s.io/v1beta1',
          kind: 'Kustomization',
          resources: [phase.name],
          transformers: [ANNOTATIONS_FILE],
        }),
      },
      {
        // commonAnnotations would also annotate pod templates (a rollout for nothing, and upstream's templates
        // changed); the builtin transformer with one field spec touches only each object's own metadata.
        name: `${dir}/${ANNOTATIONS_FILE}`,
        content: Yaml.stringify({
          apiVersion: 'builtin',
          kind: 'AnnotationsTransformer',
          metadata: { name: 'argocd-sync' },
          annotations: {
            [SYNC_WAVE]: String(wave),
            ...(hasCustomResources ? { [SYNC_OPTIONS]: 'SkipDryRunOnMissingResource=true' } : {}),
          },
          fieldSpecs: [{ path: 'metadata/annotations', create: true }],
        }),
      },
    ];
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

/** The transformer config each phase's kustomization names. */
export const ANNOTATIONS_FILE = 'argocd-annotations.yaml';
