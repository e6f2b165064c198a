/**
 * The app: the agentgateway "KServe integration" guide (httpbun version) as cdk8s charts.
 *
 * `npm run synth` builds it into a temporary directory and swaps it into dist/ only on success;
 * `cdk8s synth` (cdk8s.yaml runs this file) writes straight into $CDK8S_OUTDIR.
 */
import { App } from 'cdk8s';
import { LlmServingStack, LlmServingStackProps } from './lib/stack';
import { synthesizeApp } from './lib/synthesizer';

/** Builds the app. Edit the props here to change what `dist/` holds. */
export function buildApp(props: LlmServingStackProps = {}): App {
  const app = new App();
  new LlmServingStack(app, props);
  return app;
}

if (require.main === module) {
  try {
    synthesizeApp(buildApp(), process.env.CDK8S_OUTDIR ?? 'dist');
  } catch (err: any) {
    process.stderr.write(`synth failed: ${err.message}\n`);
    process.exit(1);
  }
}
