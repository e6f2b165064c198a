/**
 * What `npm run smoke` tests, read from the synthesized dist/: the budgeted route and its budget, path, host, model
 * and gateway. The route is an HTTPRoute of the app charts, or the one KServe makes from an LLMInferenceService
 * (`<name>-kserve-route`, from its `spec.router.route.http.spec` or from KServe's route config). Without a budget in
 * dist/, the target is the route KServe makes for an LLMInferenceService (plain InferencePool routing), which must
 * answer 200.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import { KSERVE_INGRESS_DEFAULTS, kmetaChildName, llmisvcGeneratedNames, llmisvcIngressGateway } from '../shared/kserve-conventions';
import { documentFacts, splitDocuments } from '../shared/yaml-text';

/** A reason the test cannot start (exit 2), as opposed to a failed test (exit 1). */
export class CannotStartError extends Error {}

/** What dist/ says about the route under test; fields stay undefined where dist/ does not say. */
export interface SmokeTarget {
  /** `namespace/name` of the AgentgatewayPolicy with the token budget; undefined when dist/ holds no budget. */
  readonly policy?: string;
  /** The budget's tokens per window; undefined when dist/ holds no budget. */
  readonly budgetTokens?: number;
  /** `namespace/name` of the route under test, when dist/ describes it. */
  readonly route?: string;
  /** Who makes the route when dist/ holds it not as an HTTPRoute: `KServe, from LLMInferenceService ns/name`. */
  readonly routeMadeBy?: string;
  /** `namespace/name` of the route the budget targets, when dist/ does not describe it. */
  readonly missingRoute?: string;
  readonly host?: string;
  readonly model?: string;
  /** The route's path match that reaches the model; the gateway only sends requests matching it to the backend. */
  readonly path?: string;
  readonly gateway?: { readonly name: string; readonly namespace: string };
}

/** The API path of the chat completion smoke sends: the rule of a KServe route that reaches it is the one tested. */
export const CHAT_COMPLETIONS_API_PATH = '/v1/chat/completions';
/** KServe's route config, which makes the route of an LLMInferenceService that gives none (kserve@v0.20.0:config/llmisvcconfig). */
const ROUTE_CONFIG = { kind: 'LLMInferenceServiceConfig', name: 'kserve-config-llm-router-route' };
/** KServe's ConfigMap, whose `ingress.kserveIngressGateway` the route config's parentRef names (GlobalConfig). */
const KSERVE_CONFIG_MAP = { kind: 'ConfigMap', name: 'inferenceservice-config' };

type Doc = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string }; spec?: any; data?: any };

/**
 * Reads the target from dist/. The app charts (`*-models.k8s.yaml`, `*-ingress.k8s.yaml`) are parsed whole; of the
 * rest (megabytes of platform YAML) only KServe's route config and ConfigMap are, and only when an LLMInferenceService
 * needs them.
 */
export function readSmokeTarget(distPath: string): SmokeTarget {
  const dist = new DistDocs(distPath);
  try {
    return targetOf(dist);
  } catch (e: any) {
    if (e instanceof CannotStartError) throw e;
    // dist/ was edited by hand, or comes from elsewhere: an object is not what its kind says.
    throw new CannotStartError(`an object in ${dist.appFiles.join(', ')} of ${dist.dir} is malformed (${e.message}): ` +
      'run `npm run validate` to find it, or pass --url, --budget and --host');
  }
}

/** The documents of one version of dist/ (a link a synth may swap meanwhile is resolved once). */
class DistDocs {
  public readonly dir: string;
  public readonly appFiles: string[];
  public readonly app: Doc[] = [];
  private readonly files: string[];
  private readonly texts = new Map<string, string>();

  constructor(distPath: string) {
    let dir = distPath;
    try {
      dir = fs.realpathSync(distPath);
      this.files = fs.readdirSync(dir).filter(f => f.endsWith('.k8s.yaml')).sort();
    } catch (e: any) {
      throw new CannotStartError(`cannot read ${dir} (${e.code ?? e.message}): run \`npm run synth\` first, or pass --budget and --host`);
    }
    this.dir = dir;
    this.appFiles = this.files.filter(f => f.endsWith('-models.k8s.yaml') || f.endsWith('-ingress.k8s.yaml'));
    if (this.appFiles.length === 0) {
      throw new CannotStartError(`${dir} holds no *-models.k8s.yaml or *-ingress.k8s.yaml: run \`npm run synth\` first, or pass --budget and --host`);
    }
    for (const f of this.appFiles) this.app.push(...this.load(f));
  }

  /** An object of the platform files, found by a text search before anything is parsed. */
  platform(kind: string, name: string): Doc | undefined {
    for (const f of this.files.filter(x => !this.appFiles.includes(x))) {
      const text = this.texts.get(f) ?? fs.readFileSync(path.join(this.dir, f), 'utf8');
      this.texts.set(f, text);
      if (!text.includes(`kind: ${kind}\n`) || !text.includes(`name: ${name}\n`)) continue;
      const doc = splitDocuments(text).find(d => { const facts = documentFacts(d); return facts.kind === kind && facts.name === name; });
      if (doc) return jsyaml.load(doc) as Doc;
    }
    return undefined;
  }

  private load(f: string): Doc[] {
    const file = path.join(this.dir, f);
    try {
      return (jsyaml.loadAll(fs.readFileSync(file, 'utf8')) as Doc[]).filter(d => d && typeof d === 'object');
    } catch (e: any) {
      throw new CannotStartError(`cannot parse ${file}: ${e.message}`);
    }
  }
}

const key = (d: Doc) => `${d.metadata?.namespace ?? 'default'}/${d.metadata?.name}`;

function targetOf(dist: DistDocs): SmokeTarget {
  const docs = dist.app;
  const llmisvcs = docs.filter(d => d.kind === 'LLMInferenceService' && kserveRoute(d));
  const budgets = docs.filter(d => d.kind === 'AgentgatewayPolicy' && Array.isArray(d.spec?.traffic?.rateLimit?.local)
    && d.spec.traffic.rateLimit.local.some((l: any) => typeof l?.tokens === 'number'));
  if (budgets.length === 0) {
    if (llmisvcs.length === 0) {
      throw new CannotStartError(`no AgentgatewayPolicy with spec.traffic.rateLimit.local, and no LLMInferenceService with a route, in ${dist.appFiles.join(', ')} of ${dist.dir}`);
    }
    // No budget: the route KServe makes for the first LLMInferenceService must answer.
    return routeTarget(dist, kserveRouteOf(dist, llmisvcs[0]), {});
  }
  // Several budgets (a team chart with two models): the first is tested, the others can be through the flags.
  const policy = budgets[0];
  const ns = policy.metadata?.namespace ?? 'default';
  const budget = { policy: key(policy), budgetTokens: policy.spec.traffic.rateLimit.local.find((l: any) => typeof l?.tokens === 'number').tokens as number };
  // Policy targets are namespace-local: the route is in the policy's namespace.
  const routeRef = (policy.spec.targetRefs ?? []).find((r: any) => r?.kind === 'HTTPRoute');
  if (!routeRef) return budget;
  const route = docs.find(d => d.kind === 'HTTPRoute' && d.metadata?.name === routeRef.name && (d.metadata?.namespace ?? 'default') === ns);
  if (route) return routeTarget(dist, { doc: route, spec: route.spec ?? {} }, budget);
  const owner = llmisvcs.find(d => (d.metadata?.namespace ?? 'default') === ns && d.metadata?.name && llmisvcGeneratedNames(d.metadata.name).route === routeRef.name);
  if (owner) return routeTarget(dist, kserveRouteOf(dist, owner), budget);
  return { ...budget, missingRoute: `${ns}/${routeRef.name}` };
}

/** A route's spec and where it comes from. */
interface RouteOf { doc: Doc; spec: any; madeFor?: Doc }

/** The part of an LLMInferenceService KServe makes a route from, if it makes one (`route` set, no `http.refs`). */
function kserveRoute(d: Doc): any {
  const route = d.spec?.router?.route;
  return route && typeof route === 'object' && !((route.http?.refs ?? []).length > 0) ? route : undefined;
}

/** The route KServe makes for an LLMInferenceService: its own `http.spec`, or its route config's, rendered for it. */
function kserveRouteOf(dist: DistDocs, svc: Doc): RouteOf {
  const name = llmisvcGeneratedNames(svc.metadata!.name!).route;
  const doc: Doc = { kind: 'HTTPRoute', metadata: { name, namespace: svc.metadata?.namespace } };
  const own = kserveRoute(svc).http?.spec;
  if (own) return { doc, spec: own, madeFor: svc };
  const config = dist.platform(ROUTE_CONFIG.kind, ROUTE_CONFIG.name);
  const spec = config?.spec?.router?.route?.http?.spec;
  if (!spec) {
    throw new CannotStartError(`LLMInferenceService ${key(svc)} takes its route from KServe's ${ROUTE_CONFIG.kind} ${ROUTE_CONFIG.name}, which ${dist.dir} does not hold: pass --url and --path`);
  }
  return { doc, spec: renderTemplates(spec, svc, dist), madeFor: svc };
}

/** The route's rule that reaches the model, and what the test needs from it. */
function routeTarget(dist: DistDocs, route: RouteOf, budget: { policy?: string; budgetTokens?: number }): SmokeTarget {
  const docs = dist.app;
  const find = (kind: string, name: string, namespace: string | undefined) =>
    docs.find(d => d.kind === kind && d.metadata?.name === name && (d.metadata?.namespace ?? 'default') === (namespace ?? 'default'));
  const spec = route.spec;
  const routeNs = route.doc.metadata?.namespace;
  const rules: any[] = spec.rules ?? [];
  const backendOf = (r: any) => (r?.backendRefs ?? []).find((b: any) => b?.kind === 'AgentgatewayBackend');
  const pathOf = (r: any) => (r?.matches ?? []).find((m: any) => typeof m?.path?.value === 'string' && !(m.headers ?? []).length)?.path?.value;
  const reachesChat = (r: any) => [pathOf(r), ...(r?.filters ?? []).map((f: any) => f?.urlRewrite?.path?.replacePrefixMatch)].includes(CHAT_COMPLETIONS_API_PATH);
  const rule = rules.find(backendOf) ?? rules.find(r => pathOf(r) && reachesChat(r)) ?? rules[0];
  const backendRef = backendOf(rule);
  const backend = backendRef ? find('AgentgatewayBackend', backendRef.name, backendRef.namespace ?? routeNs) : undefined;
  // `spec.ai.provider` holds one provider key (openai, custom, ...) beside host/port/path; its `model` is the one.
  const provider = backend?.spec?.ai?.provider ?? {};
  const model = Object.values(provider).map((p: any) => p?.model).find(m => typeof m === 'string')
    ?? (route.madeFor ? route.madeFor.spec?.model?.name ?? route.madeFor.metadata?.name : undefined);
  const match = pathOf(rule);
  const parent = spec.parentRefs?.[0];
  return unrendered({
    ...budget,
    route: `${routeNs ?? 'default'}/${route.doc.metadata?.name}`,
    ...(route.madeFor ? { routeMadeBy: `KServe, from LLMInferenceService ${key(route.madeFor)}` } : {}),
    host: spec.hostnames?.[0],
    model,
    path: match && match !== '/' ? match : undefined,
    gateway: parent?.name ? { name: parent.name, namespace: parent.namespace ?? routeNs ?? 'default' } : undefined,
  });
}

/**
 * KServe's config templates (Go templates over the LLMInferenceService and KServe's settings; kserve@v0.20.0:
 * pkg/controller/v1alpha2/llmisvc/config_merge.go, ReplaceVariables) in the strings of a route spec, for the fields
 * the route config's paths and parentRefs use; any other template is left as it is (see {@link unrendered}).
 */
function renderTemplates(spec: any, svc: Doc, dist: DistDocs): any {
  const ingress = dist.platform(KSERVE_CONFIG_MAP.kind, KSERVE_CONFIG_MAP.name)?.data?.ingress;
  const gatewayRef: string = (ingress ? JSON.parse(ingress).kserveIngressGateway : undefined) ?? KSERVE_INGRESS_DEFAULTS.kserveIngressGateway;
  const gateway = llmisvcIngressGateway(gatewayRef);
  const name = svc.metadata!.name!;
  const fields: Record<string, string> = {
    '.ObjectMeta.Name': name,
    '.ObjectMeta.Namespace': svc.metadata?.namespace ?? 'default',
    '.Spec.Model.Name': svc.spec?.model?.name ?? name,
    '.GlobalConfig.IngressGatewayName': gateway.name,
    '.GlobalConfig.IngressGatewayNamespace': gateway.namespace,
  };
  const render = (text: string) => text.replace(/\{\{\s*(.*?)\s*\}\}/g, (whole, action: string) => {
    const child = /^ChildName \.ObjectMeta\.Name `([^`]*)`$/.exec(action);
    return child ? kmetaChildName(name, child[1]) : fields[action] ?? whole;
  });
  const walk = (v: any): any => (typeof v === 'string' ? render(v)
    : Array.isArray(v) ? v.map(walk) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)])) : v);
  return walk(spec);
}

/** A value the test would use that still holds a template smoke does not render: it cannot start, and says so. */
function unrendered(target: SmokeTarget): SmokeTarget {
  for (const [what, v] of [['path', target.path], ['host', target.host], ['gateway', target.gateway?.name], ['gateway namespace', target.gateway?.namespace]]) {
    if (v?.includes('{{')) throw new CannotStartError(`the ${what} of ${target.route} (${target.routeMadeBy}) is a template smoke does not render, ${v}: pass --url and --path`);
  }
  return target;
}
