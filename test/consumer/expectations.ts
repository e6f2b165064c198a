/**
 * What the consumer charts (test/consumer/project/charts/) must produce, beyond being equal on both sides: checks
 * that would catch two models sharing a budget, a gateway imported by name being emitted anyway, or a stack whose
 * platform charts came out empty under plain `app.synth()`.
 */
import { ReadObject } from './compare';

/** The problems found; empty when the output is what the charts ask for. */
export function checkConsumerOutput(objects: readonly ReadObject[]): string[] {
  const all = objects.map(o => o.object);
  const problems: string[] = [];
  const find = (kind: string, namespace: string | undefined, name?: string) => all.filter(o =>
    o.kind === kind && (o.metadata?.namespace ?? undefined) === namespace && (name === undefined || o.metadata?.name === name));
  const expectCount = (what: string, hits: unknown[], n: number) => {
    if (hits.length !== n) problems.push(`expected ${n} ${what}, found ${hits.length}`);
  };
  const parentOf = (route: any) => route?.spec?.parentRefs?.[0] ?? {};

  // One object per identity: a second one silently replaces the first on apply.
  const seen = new Map<string, string>();
  for (const o of objects) {
    const prior = seen.get(o.key);
    if (prior) problems.push(`${o.key} is written twice (${prior} and ${o.source}): on apply the second replaces the first`);
    seen.set(o.key, o.source);
  }

  // (a) A model on a new gateway: the chart's Gateway, and the model's route attached to it.
  expectCount('Gateway summarize-gw/summarize-gateway', find('Gateway', 'summarize-gw', 'summarize-gateway'), 1);
  for (const route of find('HTTPRoute', 'summarize')) {
    const p = parentOf(route);
    if (p.name !== 'summarize-gateway' || p.namespace !== 'summarize-gw') {
      problems.push(`HTTPRoute summarize/${route.metadata.name} attaches to ${p.namespace}/${p.name}, not summarize-gw/summarize-gateway`);
    }
  }
  expectBudget(find('AgentgatewayPolicy', 'summarize'), 500, problems, 'summarize');

  // (b) A model on an existing gateway, imported by name: no Gateway emitted, the route attached to its listener.
  expectCount('Gateway named shared-gateway (the existing one must not be emitted)', all.filter(o => o.kind === 'Gateway' && o.metadata?.name === 'shared-gateway'), 0);
  const translateRoutes = find('HTTPRoute', 'translate');
  expectCount('HTTPRoute in translate', translateRoutes, 1);
  for (const route of translateRoutes) {
    const p = parentOf(route);
    if (p.name !== 'shared-gateway' || p.namespace !== 'platform-ingress' || p.sectionName !== 'web') {
      problems.push(`HTTPRoute translate/${route.metadata.name} attaches to ${p.namespace}/${p.name} listener ${p.sectionName}, ` +
        'not platform-ingress/shared-gateway listener web (the imported listenerName)');
    }
  }
  expectBudget(find('AgentgatewayPolicy', 'translate'), 2000, problems, 'translate');

  // Two models in one namespace: two of everything, each budget on its own route, each route on its own backend.
  const isvcs = find('InferenceService', 'pair');
  expectCount('InferenceServices in pair', isvcs, 2);
  expectCount('AgentgatewayBackends in pair', find('AgentgatewayBackend', 'pair'), 2);
  const pairRoutes = find('HTTPRoute', 'pair');
  expectCount('HTTPRoutes in pair', pairRoutes, 2);
  const pairPolicies = find('AgentgatewayPolicy', 'pair');
  expectCount('AgentgatewayPolicies (token budgets) in pair', pairPolicies, 2);
  const targets = new Set(pairPolicies.map(p => p.spec?.targetRefs?.[0]?.name));
  if (pairPolicies.length === 2 && targets.size !== 2) problems.push(`both budgets in pair target the same route ${[...targets].join()}`);
  const backends = new Set(pairRoutes.map(r => r.spec?.rules?.[0]?.backendRefs?.[0]?.name));
  if (pairRoutes.length === 2 && backends.size !== 2) problems.push(`both routes in pair use the same backend ${[...backends].join()}`);
  const tokens = pairPolicies.map(p => p.spec?.traffic?.rateLimit?.local?.[0]?.tokens).sort((x, y) => x - y);
  if (pairPolicies.length === 2 && tokens.join() !== '200,1000') problems.push(`budgets in pair are ${tokens.join()} tokens, not 200 and 1000`);

  // (c) The whole stack, hardened: every platform component's objects (not empty charts) and all three models,
  // each kept with its budget and hardened (digest-pinned, cluster-local, behind a NetworkPolicy).
  for (const crd of ['gateways.gateway.networking.k8s.io', 'agentgatewaypolicies.agentgateway.dev',
    'certificates.cert-manager.io', 'inferenceservices.serving.kserve.io']) {
    expectCount(`CustomResourceDefinition ${crd}`, find('CustomResourceDefinition', undefined, crd), 1);
  }
  expectCount('Deployment cert-manager/cert-manager', find('Deployment', 'cert-manager', 'cert-manager'), 1);
  expectCount('Deployment kserve/kserve-controller-manager', find('Deployment', 'kserve', 'kserve-controller-manager'), 1);
  expectCount('Gateway kserve/kserve-ingress-gateway', find('Gateway', 'kserve', 'kserve-ingress-gateway'), 1);
  const stackModels = find('InferenceService', 'assistants').map(o => o.metadata.name).sort();
  if (stackModels.join() !== 'assistant,coder,reviewer') {
    problems.push(`the hardened stack has models [${stackModels.join(', ')}] in assistants, not the user's assistant, coder, reviewer`);
  }
  const budgets = find('AgentgatewayPolicy', 'assistants').map(p => `${p.spec?.targetRefs?.[0]?.name}=${p.spec?.traffic?.rateLimit?.local?.[0]?.tokens}`).sort();
  if (budgets.join() !== 'assistant-ai=10000,coder-ai=20000,reviewer-ai=5000') {
    problems.push(`the hardened stack's budgets are [${budgets.join(', ')}], not assistant-ai=10000, coder-ai=20000, reviewer-ai=5000`);
  }
  for (const isvc of find('InferenceService', 'assistants')) {
    const image: string = isvc.spec?.predictor?.containers?.[0]?.image ?? '';
    if (!image.includes('@sha256:')) problems.push(`hardened model ${isvc.metadata.name} runs ${image}, not pinned by digest`);
  }
  expectCount('NetworkPolicies in assistants (one per hardened model)', find('NetworkPolicy', 'assistants'), 3);

  // (d) Two metered LLMs on the existing gateway: each LLMInferenceService's route overridden through its own AI
  // backend, which wraps its own InferencePool, and each budget on the route KServe will create for it; a third LLM
  // routed to its pool has neither backend nor budget.
  const llms = find('LLMInferenceService', 'llms');
  expectCount('LLMInferenceServices in llms', llms, 3);
  for (const name of ['chat', 'code']) {
    const llm = llms.find(o => o.metadata.name === name);
    const routeSpec = llm?.spec?.router?.route?.http?.spec;
    const p = routeSpec?.parentRefs?.[0] ?? {};
    if (p.name !== 'shared-gateway' || p.namespace !== 'platform-ingress') problems.push(`LLMInferenceService llms/${name}'s route attaches to ${p.namespace}/${p.name}, not platform-ingress/shared-gateway`);
    const backendName = routeSpec?.rules?.[0]?.backendRefs?.[0]?.name;
    const backend = find('AgentgatewayBackend', 'llms', backendName)[0];
    const pool = backend?.spec?.ai?.provider?.custom?.backendRef?.name;
    if (pool !== `${name}-inference-pool`) problems.push(`LLMInferenceService llms/${name} goes through backend ${backendName}, which wraps pool ${pool}, not ${name}-inference-pool`);
    const budget = find('AgentgatewayPolicy', 'llms').filter(o => o.spec?.targetRefs?.[0]?.name === `${name}-kserve-route`);
    expectCount(`token budgets on llms/${name}-kserve-route`, budget, 1);
  }
  const draft = llms.find(o => o.metadata.name === 'draft');
  if (JSON.stringify(draft?.spec?.router) !== JSON.stringify({ route: {}, scheduler: {} })) problems.push(`LLMInferenceService llms/draft's router is ${JSON.stringify(draft?.spec?.router)}, not KServe's generated route to its pool`);
  expectCount('AgentgatewayBackends in llms', find('AgentgatewayBackend', 'llms'), 2);
  const llmBudgets = find('AgentgatewayPolicy', 'llms').map(p => p.spec?.traffic?.rateLimit?.local?.[0]?.tokens).sort((x, y) => x - y);
  if (llmBudgets.join() !== '300,900') problems.push(`budgets in llms are ${llmBudgets.join()} tokens, not 300 and 900`);
  return problems;
}

/** One token budget in the namespace, of `tokens`. */
function expectBudget(policies: any[], tokens: number, problems: string[], namespace: string): void {
  const found = policies.map(p => p.spec?.traffic?.rateLimit?.local?.[0]?.tokens);
  if (found.length !== 1 || found[0] !== tokens) {
    problems.push(`expected one token budget of ${tokens} in ${namespace}, found ${JSON.stringify(found)}`);
  }
}
