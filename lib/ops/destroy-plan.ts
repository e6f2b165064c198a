/**
 * The destroy plan: phases in reverse apply order, each deleted, then its namespaces waited for until they are gone.
 * CustomResourceDefinitions are kept unless asked for (deleting one deletes every object of its kind in the
 * cluster, whoever made it); when asked, each phase's CRDs go after its other objects.
 */
import { Step } from './deploy-plan';
import { Phase } from './manifests';

/** Options for {@link destroyPlan}. */
export interface DestroyOptions {
  /** Also delete CRDs. */
  readonly includeCrds: boolean;
  /** Also delete the shared platform phases (Gateway API, agentgateway, cert-manager, KServe). */
  readonly includePlatform: boolean;
  /** Which phases are platform phases. */
  readonly isPlatform: (phase: Phase) => boolean;
}

/** The steps that delete these phases. */
export function destroyPlan(phases: readonly Phase[], o: DestroyOptions): Step[] {
  const steps: Step[] = [];
  for (const phase of [...phases].reverse()) {
    if (o.isPlatform(phase) && !o.includePlatform) continue;
    const crds = phase.objects.filter(x => x.kind === 'CustomResourceDefinition');
    const rest = phase.objects.filter(x => x.kind !== 'CustomResourceDefinition');
    if (rest.length > 0) {
      steps.push({
        title: `delete ${phase.name} (${rest.length} object${rest.length === 1 ? '' : 's'}${crds.length ? `; keeping ${crds.length} CRDs` : ''})`,
        args: ['delete', '--ignore-not-found', '--wait=false', '-f', '-'],
        input: rest.map(x => x.text).join('---\n'),
        source: `${crds.length ? 'the objects besides CRDs' : 'the objects'} of ${phase.file}`,
      });
    }
    const namespaces = rest.filter(x => x.kind === 'Namespace' && x.name).map(x => x.name!);
    if (namespaces.length > 0) {
      steps.push({
        title: `wait: namespaces gone (${namespaces.join(', ')})`,
        args: ['wait', '--for=delete', ...namespaces.map(n => `namespace/${n}`)],
        bounded: true,
        inspect: `kubectl get namespace ${namespaces.join(' ')} -o yaml   # see status.conditions for what blocks deletion`,
      });
    }
    if (o.includeCrds && crds.length > 0) {
      steps.push({
        title: `delete ${crds.length} CRDs of ${phase.name} (and every object of their kinds)`,
        args: ['delete', '--ignore-not-found', '--wait=true', ...crds.map(x => `crd/${x.name}`)],
        bounded: true,
      });
    }
  }
  return steps;
}
