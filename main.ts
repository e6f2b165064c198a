/**
 * The app: the agentgateway "KServe integration" guide (httpbun version) with the platform under it.
 *
 * `npm run synth` and `cdk8s synth` both run this file: they build the app from CONFIG (flags and environment
 * variables may override it, see `npm run synth -- --help`), validate the output, and swap it into dist/ only
 * when everything succeeded.
 */
import { App } from 'cdk8s';
import { AppConfig, LlmServingStackProps, stackPropsFor } from './lib';
import { runMain } from './lib/cli/command';
import { runSynthCli, stackApp } from './lib/cli/synth';

/** What dist/ holds. The guide profile writes exactly the guide's objects. */
export const CONFIG: AppConfig = {
  profile: 'guide',
};

/** Builds the app. */
export function buildApp(props: LlmServingStackProps = stackPropsFor(CONFIG)): App {
  return stackApp(props);
}

if (require.main === module) {
  runMain('synth', () => runSynthCli(CONFIG, buildApp));
}
