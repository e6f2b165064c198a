import { App } from 'cdk8s';
import { IngressGateway, LlmServingStack, MeteredModel } from '../lib';
import { renderApp } from '../lib/synthesizer';
import { chart, objectsOf, renderedObjects } from './helpers';

describe('MeteredModel', () => {
  test('wires inference service, backend, route and budget together by derived names', () => {
    const c = chart();
    const gateway = new IngressGateway(c, 'Gateway');
    const model = new MeteredModel(c, 'Model', { gateway, inferenceService: { name: 'qwen' } });
    expect(model.backend.host).toBe(model.inferenceService.predictorHost);
    expect(model.route.hostnames).toEqual([model.inferenceService.hostname]);
    expect(model.budget.route).toBe(model.route);
    expect(objectsOf(c).map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Gateway/kserve-ingress-gateway', 'InferenceService/qwen', 'AgentgatewayBackend/qwen-backend', 'HTTPRoute/qwen-ai', 'AgentgatewayPolicy/llm-token-budget',
    ]);
  });

  test('targets the KServe-generated route with the echo-headers policy when enabled', () => {
    const c = chart();
    const model = new MeteredModel(c, 'Model', { gateway: new IngressGateway(c, 'Gateway'), echoModelHeaders: true });
    const echo = objectsOf(c).find(o => o.metadata.name === 'model-echo-headers');
    expect(echo.spec.targetRefs[0].name).toBe(model.inferenceService.generatedRouteName);
    expect(echo.metadata.namespace).toBe('kserve-test');
  });

  test('can point the echo-headers policy at the budgeted route instead', () => {
    const c = chart();
    const gateway = new IngressGateway(c, 'Gateway');
    const model = new MeteredModel(c, 'Model', { gateway, echoModelHeaders: {} });
    const other = new MeteredModel(c, 'Other', { gateway, inferenceService: { name: 'other', namespace: 'o' }, echoModelHeaders: { route: model.route, name: 'echo' } });
    expect(other.echoHeaders?.namespace).toBe('kserve-test');
    expect(objectsOf(c).find(o => o.metadata.name === 'echo').spec.targetRefs[0].name).toBe('mock-llm-ai');
  });

  test('a second model is one more entry, with its own namespace created once', () => {
    const app = new App();
    new LlmServingStack(app, {
      platform: { gatewayApi: false, agentgateway: false, certManager: false, kserve: false },
      models: [
        {},
        { inferenceService: { name: 'qwen', namespace: 'team-b' }, budget: { name: 'qwen-budget', tokens: 1000 } },
        { inferenceService: { name: 'llama', namespace: 'team-b' }, budget: { name: 'llama-budget' } },
      ],
    });
    const names = renderedObjects(app).map(o => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(names.filter(n => n === 'Namespace//kserve-test')).toHaveLength(1);
    expect(names.filter(n => n === 'Namespace//team-b')).toHaveLength(1);
    expect(names.indexOf('Namespace//team-b')).toBeLessThan(names.indexOf('InferenceService/team-b/qwen'));
    expect(names).toEqual(expect.arrayContaining([
      'HTTPRoute/team-b/qwen-ai', 'AgentgatewayBackend/team-b/qwen-backend', 'AgentgatewayPolicy/team-b/qwen-budget',
      'HTTPRoute/team-b/llama-ai', 'AgentgatewayPolicy/team-b/llama-budget', 'AgentgatewayPolicy/kserve-test/llm-token-budget',
    ]));
  });

  test('two models in one namespace with the same budget name fail at synth with both paths named', () => {
    const app = new App();
    new LlmServingStack(app, { models: [{}, { inferenceService: { name: 'qwen' } }] });
    expect(() => renderApp(app)).toThrow(/Duplicate object AgentgatewayPolicy kserve-test\/llm-token-budget: defined by models\/Model\/TokenBudget\/Resource and models\/Model2\/TokenBudget\/Resource; give one of them another name/);
  });
});
