// Props a program gets wrong at run time (null, a missing required prop, NaN) are reported like every other prop
// error: the construct's path, the prop and what was given, never a raw TypeError or a NaN shown as null.
import { routeRef, synthesizing } from './helpers';
import { App, Chart } from 'cdk8s';
import {InferenceService, IngressGateway, LlmInferenceService, LlmServingStack, MeteredLlm, MeteredModel, TokenBudget } from '../lib';
import { hardenedProfile } from '../lib/presets/hardened';
import { show } from '../lib/shared/validation';

const chart = () => new Chart(new App(), 'team');
const route = routeRef('chat-ai', 'team');

describe('props given wrong at run time', () => {
  test.each([
    ['a null MeteredModel', () => new MeteredModel(chart(), 'm', null as any), 'MeteredModel team/m: props must be an object with gateway, inferenceService, got null'],
    ['a MeteredModel without its required props', () => new MeteredModel(chart(), 'm', {} as any), 'MeteredModel team/m: 2 problems:\n  - gateway is required, got undefined\n  - inferenceService is required, got undefined'],
    ['a null InferenceService', () => new InferenceService(chart(), 'i', null as any), 'InferenceService team/i: props must be an object with name, image, got null'],
    ['a null IngressGateway', () => new IngressGateway(chart(), 'g', null as any), 'IngressGateway team/g: props must be an object, got null'],
    ['a null model in the stack', () => new LlmServingStack(new App(), 's', { models: [null as any] }), "ModelsChart s/models: models[0] must be a model's options (an object with inferenceService), got null"],
    ['null stack props', () => new LlmServingStack(new App(), 's', null as any), 'LlmServingStack s: props must be an object, got null'],
    ['a null MeteredLlm', () => new MeteredLlm(chart(), 'l', null as any), 'MeteredLlm team/l: props must be an object with gateway, llmInferenceService, got null'],
    ['a MeteredLlm whose LLMInferenceService has no model', () => new MeteredLlm(chart(), 'l', { gateway: {} as any, llmInferenceService: { name: 'x' } as any }), 'MeteredLlm team/l: llmInferenceService.model is required, got {"name":"x"}'],
    ['a null LlmInferenceService', () => new LlmInferenceService(chart(), 'i', null as any), 'LlmInferenceService team/i: props must be an object with name, model, got null'],
    ['a null LLM in the stack', () => new LlmServingStack(new App(), 's', { llms: [null as any] }), "ModelsChart s/models: llms[0] must be an LLM's options (an object with llmInferenceService), got null"],
    ['a null LLM given to hardenedProfile', () => hardenedProfile({ llms: [null as any] }), "hardenedProfile: llms[0] must be an LLM's options (an object with llmInferenceService), got null"],
    ['a null model given to hardenedProfile', () => hardenedProfile({ models: [undefined as any] }), "hardenedProfile: models[0] must be a model's options (an object with inferenceService), got undefined"],
  ])('%s is a clear error', (_what, build, message) => {
    expect(synthesizing(build)).toThrow(new Error(message));
  });

  test('a chart with three wrong constructs reports all three at synth, each with its path, prop, value and fix', () => {
    const app = new App();
    const c = new Chart(app, 'team');
    const gateway = IngressGateway.fromGatewayAttributes(c, 'Gateway', { name: 'gw', namespace: 'infra' });
    new MeteredModel(c, 'Chat', { gateway, inferenceService: { name: 'Chat_Model', image: 'vllm/vllm-openai:v0.11.0' }, budget: { tokens: 0 } });
    new TokenBudget(c, 'Stray', { route, tokens: 10, name: 'Not A Name' });
    new MeteredModel(c, 'Null', null as any);
    expect(() => app.synth()).toThrow(new Error([
      'Validation failed with the following errors:',
      '  [team/Chat/InferenceService] InferenceService: name must be a DNS-1123 label (at most 63 lower-case letters, digits or "-", starting and ending with a letter or digit), at most 53 characters so that "<name>-predictor" fits, got "Chat_Model"',
      '  [team/Chat/TokenBudget] TokenBudget: tokens must be a whole number from 1 to 2147483647, got 0',
      '  [team/Stray] TokenBudget: name must be a DNS-1123 subdomain (at most 253 characters: lower-case labels separated by "."), got "Not A Name"',
      '  [team/Null] MeteredModel: props must be an object with gateway, inferenceService, got null',
    ].join('\n')));
  });

  test('NaN tokens are shown as NaN', () => {
    expect(synthesizing(() => new TokenBudget(chart(), 'b', { route, tokens: NaN }))).toThrow(/tokens must be .*, got NaN$/);
  });

  test('a value is shown as a message shows it', () => {
    expect([NaN, Infinity, -Infinity, undefined, null, 'x', 10n, { a: 1 }].map(show)).toEqual(['NaN', 'Infinity', '-Infinity', 'undefined', 'null', '"x"', '10n', '{"a":1}']);
  });
});

describe('stack props that contradict each other', () => {
  test('are reported at synth with the others, not thrown on the spot', () => {
    const app = new App();
    const gw = IngressGateway.fromGatewayAttributes(new Chart(app, 'infra'), 'Shared', { name: 'shared', namespace: 'infra' });
    new LlmServingStack(app, 'both', { gateway: { name: 'gw' }, existingGateway: gw, platform: { gatewayApi: false, agentgateway: false, certManager: false, kserve: false } });
    new LlmServingStack(app, 'tenants', { tenants: { tiers: [{ name: 'standard', tokens: 10 }] }, platform: { gatewayApi: false, agentgateway: false, certManager: false, kserve: false } });
    expect(() => app.synth()).toThrow(/\[both\] LlmServingStack: gateway and existingGateway are both set; .*\n {2}\[tenants\] LlmServingStack: tenants need a rate-limit service for shared budgets/);
  });
});
