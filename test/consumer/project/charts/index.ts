import { App } from 'cdk8s';
import { ExistingGatewayChart } from './existing-gateway';
import { NewGatewayChart } from './new-gateway';
import { addWholeStack } from './whole-stack';
import { TwoLlmsChart } from './two-llms';
import { TwoModelsChart } from './two-models';

/** Every chart the consumer test synthesizes, in one app (each in its own namespaces, so none overlap). */
export function addCharts(app: App): void {
  new NewGatewayChart(app, 'new-gateway');
  new ExistingGatewayChart(app, 'existing-gateway');
  new TwoModelsChart(app, 'two-models');
  new TwoLlmsChart(app, 'two-llms');
  addWholeStack(app);
}
