import {MAX_TOKENS, TokenBudget, TokenBudgetUnit } from '../lib';
import { chart, objectsOf, only, routeRef, synthesizing } from './helpers';

const route = routeRef('mock-llm-ai', 'kserve-test');

describe('TokenBudget', () => {
  test('targets the route by name in the route\'s namespace', () => {
    const c = chart();
    new TokenBudget(c, 'Budget', { route, tokens: 100 });
    const policy = only(objectsOf(c), 'AgentgatewayPolicy');
    expect(policy.metadata).toEqual({ name: 'mock-llm-ai-token-budget', namespace: 'kserve-test' });
    expect(policy.spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'mock-llm-ai' }]);
  });

  test('derives its name from the route, so budgets of different routes never collide', () => {
    const c = chart();
    const a = new TokenBudget(c, 'A', { route: routeRef('chat-ai', 'team'), tokens: 10 });
    const b = new TokenBudget(c, 'B', { route: routeRef('embed-ai', 'team'), tokens: 10 });
    expect([a.name, b.name]).toEqual(['chat-ai-token-budget', 'embed-ai-token-budget']);
  });

  test('puts tokens and unit in a local rate limit', () => {
    const c = chart();
    new TokenBudget(c, 'Budget', { route, name: 'hourly', tokens: 50000, unit: TokenBudgetUnit.HOURS });
    expect(only(objectsOf(c), 'AgentgatewayPolicy').spec.traffic).toEqual({ rateLimit: { local: [{ tokens: 50000, unit: 'Hours' }] } });
  });

  test('accepts the int32 maximum', () => {
    expect(synthesizing(() => new TokenBudget(chart(), 'Budget', { route, tokens: MAX_TOKENS }))).not.toThrow();
  });

  describe('fails with an error naming the prop', () => {
    test.each([
      ['tokens is zero', { tokens: 0 }, 'got 0'],
      ['tokens is negative', { tokens: -5 }, 'got -5'],
      ['tokens is fractional', { tokens: 1.5 }, 'got 1.5'],
      ['tokens exceeds int32', { tokens: MAX_TOKENS + 1 }, 'got 2147483648'],
      ['tokens is not a number', { tokens: '100' }, 'got "100"'],
    ])('when %s', (_, props, got) => {
      expect(synthesizing(() => new TokenBudget(chart(), 'Budget', { route, ...props } as any)))
        .toThrow(`TokenBudget test/Budget: tokens must be a whole number from 1 to 2147483647, ${got}`);
    });
    test('when the unit is unknown', () => {
      expect(synthesizing(() => new TokenBudget(chart(), 'Budget', { route, tokens: 100, unit: 'Days' as any })))
        .toThrow('TokenBudget test/Budget: unit must be one of Seconds, Minutes, Hours, got "Days"');
    });
    test('when the name is not DNS-1123', () => {
      expect(synthesizing(() => new TokenBudget(chart(), 'Budget', { route, tokens: 100, name: 'LLM budget' }))).toThrow(/name must be a DNS-1123 subdomain/);
    });
  });
});
