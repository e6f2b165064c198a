/**
 * The app: the agentgateway "KServe integration" guide (httpbun version) with the platform under it, as cdk8s
 * charts.
 *
 * `npm run synth` builds it into a staging directory and swaps it into dist/ only on success;
 * `cdk8s synth` (cdk8s.yaml runs this file) writes straight into $CDK8S_OUTDIR.
 */
import { App } from 'cdk8s';
import { LlmServingStack, LlmServingStackProps } from './lib/stack';
import { synthesizeApp } from './lib/synthesizer';
import { UpstreamResolver } from './lib/upstream/resolver';

/** What dist/ holds. Edit these props to change it; the defaults are the guide. */
export const STACK_PROPS: LlmServingStackProps = {};

/** Builds the app. */
export function buildApp(props: LlmServingStackProps = STACK_PROPS): App {
  const app = new App();
  new LlmServingStack(app, props);
  return app;
}

if (require.main === module) {
  const resolver = UpstreamResolver.default();
  resolver.ensure(LlmServingStack.requiredArtifacts(STACK_PROPS))
    .then(() => synthesizeApp(buildApp({ ...STACK_PROPS, resolver }), process.env.CDK8S_OUTDIR ?? 'dist'))
    .catch((err: Error) => {
      process.stderr.write(`synth failed: ${err.message}\n`);
      process.exit(1);
    });
}
