// Whole-output pins: any change to what a chart emits shows up here for review.
import { App } from 'cdk8s';
import { LlmServingStack } from '../lib';
import { objectsOf } from './helpers';

describe('chart snapshots', () => {
  const app = new App();
  const stack = new LlmServingStack(app, { models: [{ echoModelHeaders: true }] });

  test('ingress chart', () => {
    expect(objectsOf(stack.ingress)).toMatchSnapshot();
  });

  test('models chart (with the optional echo-headers policy)', () => {
    expect(objectsOf(stack.models)).toMatchSnapshot();
  });
});
