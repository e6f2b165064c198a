import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { KServeIngressSettings } from './inference-service';
import { IGateway } from './ingress-gateway';
import { MeteredModel, MeteredModelOptions } from './metered-model';
import { ModelTenantBudgetOptions } from './tenant-budget';
import { Namespace } from '../shared/namespace';
import { show } from '../shared/validation';

/** Props for {@link ModelsChart}. */
export interface ModelsChartProps extends ChartProps {
  /** The gateway every model is served through. */
  readonly gateway: IGateway;
  /**
   * The models.
   * @default - none
   */
  readonly models?: MeteredModelOptions[];
  /**
   * KServe's ingress settings (domain and template), applied to every model that does not set its own.
   * @default - KServe's defaults (`example.com`)
   */
  readonly kserveIngress?: KServeIngressSettings;
  /**
   * Labels put on every model namespace the chart creates (each model's own `namespaceLabels` are added to its
   * namespace's).
   * @default - none
   */
  readonly namespaceLabels?: Record<string, string>;
  /**
   * Per-tenant budgets on every model's route.
   * @default - none
   */
  readonly tenantBudget?: ModelTenantBudgetOptions;
  /**
   * Create the models' Namespaces. Turn off when they exist already.
   * @default true
   */
  readonly createNamespaces?: boolean;
}

/** The chart holding the models: their namespaces (created once each, first) and one MeteredModel per model. */
export class ModelsChart extends Chart {
  /** The models, in the order given. */
  public readonly models: MeteredModel[];
  /** The namespaces created, by name. */
  public readonly namespaces: ReadonlyMap<string, Namespace>;

  constructor(scope: Construct, id: string, props: ModelsChartProps) {
    super(scope, id, props);
    const specs = props.models ?? [];
    const notModels = specs.map((m, i) => (m === null || typeof m !== 'object' ? `models[${i}] must be a model's options (an object with inferenceService), got ${show(m)}` : undefined)).filter(Boolean);
    if (notModels.length > 0) throw new Error(`ModelsChart ${this.node.path}: ${notModels.join('; ')}`);
    const labelsByNamespace = namespaceLabels(this, specs, props.namespaceLabels ?? {});
    // Namespaces go first in the output; they are added once the models (which derive them) exist.
    const namespaceScope = new Construct(this, 'Namespaces');
    this.models = specs.map((spec, i) => new MeteredModel(this, i === 0 ? 'Model' : `Model${i + 1}`, {
      ...spec,
      gateway: props.gateway,
      inferenceService: { ...spec.inferenceService, ingress: { ...props.kserveIngress, ...spec.inferenceService.ingress } },
      namespaceLabels: labelsByNamespace.get(namespaceOf(this, spec)),
      tenantBudget: spec.tenantBudget ?? props.tenantBudget,
    }));
    const namespaces = new Map<string, Namespace>();
    if (props.createNamespaces ?? true) {
      for (const model of this.models) {
        if (!namespaces.has(model.namespace)) {
          namespaces.set(model.namespace, new Namespace(namespaceScope, model.namespace, {
            name: model.namespace,
            labels: labelsByNamespace.get(model.namespace),
          }));
        }
      }
    }
    this.namespaces = namespaces;
  }
}

function namespaceOf(chart: Chart, spec: MeteredModelOptions): string {
  return spec.inferenceService.namespace ?? chart.namespace ?? 'default';
}

/** The labels of each model namespace: the chart's, plus each model's own; two models disagreeing on one is an error. */
function namespaceLabels(chart: Chart, specs: readonly MeteredModelOptions[], common: Record<string, string>): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  const setBy = new Map<string, string>();
  const problems: string[] = [];
  specs.forEach((spec, i) => {
    const ns = namespaceOf(chart, spec);
    const labels = out.get(ns) ?? { ...common };
    for (const [key, value] of Object.entries(spec.namespaceLabels ?? {})) {
      const where = `${ns}/${key}`;
      if (key in labels && labels[key] !== value) {
        problems.push(`models[${i}].namespaceLabels sets ${key}=${JSON.stringify(value)} on namespace ${ns}, but ` +
          `${setBy.get(where) ?? 'namespaceLabels'} sets ${key}=${JSON.stringify(labels[key])}: a namespace has one value per label; make them agree`);
        continue;
      }
      labels[key] = value;
      setBy.set(where, `models[${i}].namespaceLabels`);
    }
    out.set(ns, labels);
  });
  if (problems.length > 0) {
    throw new Error(`ModelsChart ${chart.node.path}: ${problems.length === 1 ? problems[0] : `${problems.length} problems:\n${problems.map(p => `  - ${p}`).join('\n')}`}`);
  }
  return out;
}
