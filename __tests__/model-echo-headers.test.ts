import {ModelEchoHeaders } from '../lib';
import { chart, objectsOf, only, routeRef, synthesizing } from './helpers';

describe('ModelEchoHeaders', () => {
  test('sets the requested and actual model as response headers on the target route', () => {
    const c = chart();
    new ModelEchoHeaders(c, 'Echo', { route: routeRef('mock-llm', 'kserve-test') });
    expect(only(objectsOf(c), 'AgentgatewayPolicy')).toEqual({
      apiVersion: 'agentgateway.dev/v1alpha1',
      kind: 'AgentgatewayPolicy',
      metadata: { name: 'mock-llm-model-echo-headers', namespace: 'kserve-test' },
      spec: {
        targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'mock-llm' }],
        traffic: {
          transformation: {
            response: {
              set: [
                { name: 'x-requested-model', value: 'string(json(request.body).model)' },
                { name: 'x-actual-model', value: 'string(json(response.body).model)' },
              ],
            },
          },
        },
      },
    });
  });

  test.each([
    ['a header name with a space', [{ name: 'x model', value: 'x' }], /headers\[0\].name must be an HTTP header name/],
    ['an empty CEL expression', [{ name: 'x-model', value: ' ' }], /headers\[0\].value must be a non-empty CEL expression/],
    ['no headers', [], /headers must be at least one header/],
  ])('fails for %s', (_, headers, message) => {
    expect(synthesizing(() => new ModelEchoHeaders(chart(), 'Echo', { route: routeRef('r', 'ns'), headers }))).toThrow(message);
  });
});
