import { ApiObject, App, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { AllowedRoutes, IngressGateway, LlmServingStack, MeteredModel, MeteredModelOptions } from '../lib';
import { renderApp } from '../lib/synthesizer';
import { chart, objectsOf, renderedObjects, synthesizing } from './helpers';

const APP_ONLY = { gatewayApi: false, agentgateway: false, certManager: false, kserve: false } as const;

function model(name: string, namespace = 'team-a', extra: Partial<MeteredModelOptions> = {}): MeteredModelOptions {
  return { inferenceService: { name, namespace, image: 'vllm/vllm-openai:v0.11.0' }, budget: { tokens: 1000 }, ...extra };
}

describe('MeteredModel', () => {
  test('wires inference service, backend, route and budget together by names derived from the model', () => {
    const c = chart();
    const gateway = new IngressGateway(c, 'Gateway', { name: 'edge', namespace: 'ingress' });
    const m = new MeteredModel(c, 'Model', { gateway, ...model('qwen') });
    expect(m.backend.host).toBe(m.inferenceService.predictorHost);
    expect(m.route.hostnames).toEqual([m.inferenceService.hostname]);
    expect(m.budget?.route).toBe(m.route);
    expect(objectsOf(c).map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Gateway/edge', 'InferenceService/qwen', 'AgentgatewayBackend/qwen-backend', 'HTTPRoute/qwen-ai', 'AgentgatewayPolicy/qwen-ai-token-budget',
    ]);
  });

  test('two models in one namespace synthesize with no collision', () => {
    const c = chart();
    const gateway = new IngressGateway(c, 'Gateway', { name: 'edge', namespace: 'ingress' });
    new MeteredModel(c, 'Chat', { gateway, ...model('chat', 'team-a', { modelEchoHeaders: true }) });
    new MeteredModel(c, 'Embed', { gateway, ...model('embed', 'team-a', { modelEchoHeaders: true }) });
    const names = objectsOf(c).map(o => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining([
      'AgentgatewayPolicy/team-a/chat-ai-token-budget', 'AgentgatewayPolicy/team-a/embed-ai-token-budget',
      'AgentgatewayPolicy/team-a/chat-model-echo-headers', 'AgentgatewayPolicy/team-a/embed-model-echo-headers',
    ]));
  });

  test('attaches to a gateway it does not own, imported by name', () => {
    const c = chart();
    const gateway = IngressGateway.fromGatewayAttributes(c, 'Shared', { name: 'shared-gw', namespace: 'infra' });
    new MeteredModel(c, 'Chat', { gateway, ...model('chat'), networkPolicy: true });
    const objects = objectsOf(c);
    expect(objects.map(o => o.kind)).not.toContain('Gateway');
    const route = objects.find(o => o.kind === 'HTTPRoute');
    expect(route.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'shared-gw', namespace: 'infra' }]);
    const policy = objects.find(o => o.kind === 'NetworkPolicy');
    expect(policy.spec.ingress[0].from[0]).toEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'infra' } },
      podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'shared-gw' } },
    });
  });

  test('the predictor network policy is a cdk8s-plus NetworkPolicy, open to more rules', () => {
    const c = chart();
    const gateway = new IngressGateway(c, 'Gateway', { name: 'edge', namespace: 'ingress' });
    const m = new MeteredModel(c, 'Chat', { gateway, ...model('chat'), networkPolicy: true });
    expect(m.networkPolicy!.networkPolicy).toBeInstanceOf(kplus.NetworkPolicy);
    expect(ApiObject.of(m.networkPolicy!)).toBe(m.networkPolicy!.apiObject);
    m.networkPolicy!.networkPolicy.addIngressRule(kplus.Pods.select(c, 'Probe', { labels: { app: 'probe' } }), [kplus.NetworkPolicyPort.tcp(8080)]);
    const policy = objectsOf(c).find(o => o.kind === 'NetworkPolicy');
    expect(policy.spec.ingress.map((r: any) => r.from[0].podSelector.matchLabels)).toEqual([gateway.proxyLabels, { app: 'probe' }]);
  });

  test('names the listener of an imported gateway when told which one routes attach to', () => {
    const c = chart();
    const gateway = IngressGateway.fromGatewayAttributes(c, 'Shared', { name: 'shared-gw', namespace: 'infra', listenerName: 'llm' });
    new MeteredModel(c, 'Chat', { gateway, ...model('chat') });
    expect(objectsOf(c).find(o => o.kind === 'HTTPRoute').spec.parentRefs[0].sectionName).toBe('llm');
  });

  test('refuses a route an imported gateway would not admit, naming the gateway', () => {
    const c = chart();
    const gateway = IngressGateway.fromGatewayAttributes(c, 'Shared', { name: 'shared-gw', namespace: 'infra', allowedRoutes: AllowedRoutes.sameNamespace() });
    expect(synthesizing(() => new MeteredModel(c, 'Chat', { gateway, ...model('chat') }))).toThrow(/namespace must be a namespace that Gateway infra\/shared-gw admits/);
  });

  test('targets the KServe-generated route with the echo-headers policy when enabled', () => {
    const c = chart();
    const m = new MeteredModel(c, 'Model', { gateway: new IngressGateway(c, 'Gateway'), ...model('qwen', 'team-a', { modelEchoHeaders: true }) });
    const echo = objectsOf(c).find(o => o.metadata.name === 'qwen-model-echo-headers');
    expect(echo.spec.targetRefs[0].name).toBe(m.inferenceService.generatedRouteName);
    expect(echo.metadata.namespace).toBe('team-a');
  });

  test('can point the echo-headers policy at another route', () => {
    const c = chart();
    const gateway = new IngressGateway(c, 'Gateway');
    const a = new MeteredModel(c, 'A', { gateway, ...model('a') });
    const b = new MeteredModel(c, 'B', { gateway, ...model('b', 'team-a', { modelEchoHeaders: { route: a.route, name: 'echo' } }) });
    expect(b.modelEchoHeaders?.namespace).toBe('team-a');
    expect(objectsOf(c).find(o => o.metadata.name === 'echo').spec.targetRefs[0].name).toBe('a-ai');
  });

  test('a second model is one more entry, with its own namespace created once and labelled', () => {
    const app = new App();
    new LlmServingStack(app, 'Stack', {
      platform: APP_ONLY,
      models: [model('chat', 'team-a'), model('qwen', 'team-b', { namespaceLabels: { team: 'b' } }), model('llama', 'team-b')],
    });
    const objects = renderedObjects(app);
    const names = objects.map(o => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(names.filter(n => n === 'Namespace//team-a')).toHaveLength(1);
    expect(names.filter(n => n === 'Namespace//team-b')).toHaveLength(1);
    expect(names.indexOf('Namespace//team-b')).toBeLessThan(names.indexOf('InferenceService/team-b/qwen'));
    expect(objects.find(o => o.kind === 'Namespace' && o.metadata.name === 'team-b').metadata.labels).toEqual({ team: 'b' });
  });

  test('conflicting labels for one namespace are a clear error', () => {
    const app = new App();
    expect(synthesizing(() => new LlmServingStack(app, 'Stack', {
      platform: APP_ONLY,
      models: [model('a', 'team', { namespaceLabels: { tier: 'gold' } }), model('b', 'team', { namespaceLabels: { tier: 'free' } })],
    }))).toThrow(/models\[1\]\.namespaceLabels sets tier="free" on namespace team, but models\[0\]\.namespaceLabels sets tier="gold"/);
  });

  test('two models with the same name in one namespace fail with both construct paths, in plain cdk8s synthesis too', () => {
    const build = () => {
      const app = Testing.app();
      new LlmServingStack(app, 'Stack', { platform: APP_ONLY, models: [model('chat'), model('chat')] });
      return app;
    };
    const message = /Duplicate object InferenceService team-a\/chat: defined by Stack\/models\/Model\/InferenceService\/Resource and Stack\/models\/Model2\/InferenceService\/Resource; give one of them another name/;
    expect(() => renderApp(build())).toThrow(message);
    expect(() => build().synth()).toThrow(message);
    expect(() => Testing.synth(build().charts[1])).toThrow(message);
  });
});
