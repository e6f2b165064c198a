import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { KServeIngressSettings } from './inference-service';
import { IGateway } from './ingress-gateway';
import { LlmRouting, MeteredLlm, MeteredLlmOptions } from './metered-llm';
import { MeteredModel, MeteredModelOptions } from './metered-model';
import { ModelTenantBudgetOptions } from './tenant-budget';
import { Namespace } from '../shared/namespace';
import { recordProblems, show } from '../shared/validation';

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
   * The LLMs (KServe LLMInferenceServices behind their InferencePools).
   * @default - none
   */
  readonly llms?: MeteredLlmOptions[];
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

/**
 * The chart holding the models: their namespaces (created once each, first), one MeteredModel per model and one
 * MeteredLlm per LLM.
 */
export class ModelsChart extends Chart {
  /** The models, in the order given. */
  public readonly models: MeteredModel[];
  /** The LLMs, in the order given. */
  public readonly llms: MeteredLlm[];
  /** The namespaces created, by name. */
  public readonly namespaces: ReadonlyMap<string, Namespace>;

  constructor(scope: Construct, id: string, props: ModelsChartProps) {
    super(scope, id, props);
    const specs = props.models ?? [];
    const llmSpecs = props.llms ?? [];
    const notModels = [
      ...specs.map((m, i) => (m === null || typeof m !== 'object' ? `models[${i}] must be a model's options (an object with inferenceService), got ${show(m)}` : undefined)),
      ...llmSpecs.map((m, i) => (m === null || typeof m !== 'object' ? `llms[${i}] must be an LLM's options (an object with llmInferenceService), got ${show(m)}` : undefined)),
    ].filter(Boolean);
    if (notModels.length > 0) {
      recordProblems(this, 'ModelsChart', notModels as string[]);
      this.models = [];
      this.llms = [];
      this.namespaces = new Map();
      return;
    }
    const owners: NamespaceOwner[] = [
      ...specs.map((spec, i) => ({ where: `models[${i}]`, namespace: spec.inferenceService?.namespace, labels: spec.namespaceLabels })),
      ...llmSpecs.map((spec, i) => ({ where: `llms[${i}]`, namespace: spec.llmInferenceService?.namespace, labels: spec.namespaceLabels })),
    ];
    const labelsByNamespace = namespaceLabels(this, owners, props.namespaceLabels ?? {});
    // Namespaces go first in the output; they are added once the models (which derive them) exist.
    const namespaceScope = new Construct(this, 'Namespaces');
    this.models = specs.map((spec, i) => new MeteredModel(this, i === 0 ? 'Model' : `Model${i + 1}`, {
      ...spec,
      gateway: props.gateway,
      inferenceService: { ...spec.inferenceService, ingress: { ...props.kserveIngress, ...spec.inferenceService.ingress } },
      namespaceLabels: labelsByNamespace.get(namespaceOf(this, owners[i])),
      tenantBudget: spec.tenantBudget ?? props.tenantBudget,
    }));
    this.llms = llmSpecs.map((spec, i) => new MeteredLlm(this, i === 0 ? 'Llm' : `Llm${i + 1}`, {
      ...spec,
      gateway: props.gateway,
      namespaceLabels: labelsByNamespace.get(namespaceOf(this, owners[specs.length + i])),
      // Tenant budgets need an AI backend: only metered LLMs get them.
      tenantBudget: spec.tenantBudget ?? (spec.routing === LlmRouting.POOL ? undefined : props.tenantBudget),
    }));
    const namespaces = new Map<string, Namespace>();
    if (props.createNamespaces ?? true) {
      // From the specs, not the built models: a model with problems has reported them and derived nothing.
      for (const ns of owners.map(o => namespaceOf(this, o))) {
        if (!namespaces.has(ns)) {
          namespaces.set(ns, new Namespace(namespaceScope, ns, { name: ns, labels: labelsByNamespace.get(ns) }));
        }
      }
    }
    this.namespaces = namespaces;
  }
}

/** Who asks for a namespace, and with which labels. */
interface NamespaceOwner {
  readonly where: string;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
}

function namespaceOf(chart: Chart, owner: NamespaceOwner): string {
  return owner.namespace ?? chart.namespace ?? 'default';
}

/** The labels of each model namespace: the chart's, plus each model's own; two models disagreeing on one is an error. */
function namespaceLabels(chart: Chart, owners: readonly NamespaceOwner[], common: Record<string, string>): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  const setBy = new Map<string, string>();
  const problems: string[] = [];
  for (const owner of owners) {
    const ns = namespaceOf(chart, owner);
    const labels = out.get(ns) ?? { ...common };
    for (const [key, value] of Object.entries(owner.labels ?? {})) {
      const where = `${ns}/${key}`;
      if (key in labels && labels[key] !== value) {
        problems.push(`${owner.where}.namespaceLabels sets ${key}=${JSON.stringify(value)} on namespace ${ns}, but ` +
          `${setBy.get(where) ?? 'namespaceLabels'} sets ${key}=${JSON.stringify(labels[key])}: a namespace has one value per label; make them agree`);
        continue;
      }
      labels[key] = value;
      setBy.set(where, `${owner.where}.namespaceLabels`);
    }
    out.set(ns, labels);
  }
  if (problems.length > 0) {
    throw new Error(`ModelsChart ${chart.node.path}: ${problems.length === 1 ? problems[0] : `${problems.length} problems:\n${problems.map(p => `  - ${p}`).join('\n')}`}`);
  }
  return out;
}
