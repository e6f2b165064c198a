/**
 * `npm run deploy -- [--context NAME] [--timeout DURATION] [--dry-run] [--force-conflicts]`: applies dist/ phase by
 * phase with server-side apply, in the order a fresh cluster accepts (see `lib/ops/deploy-plan.ts`), waiting
 * between phases as the guide does. Running it twice changes nothing. `--timeout` bounds the whole run: every
 * kubectl call gets what is left of it, and one that outlives it is killed.
 * Exit 0: deployed (or planned); 1: a step failed or timed out; 2: bad arguments or no dist/.
 */
import * as path from 'path';
import { parseDuration } from '../ops/args';
import { CommandDoc, helpText, parseCommand, runMain, wantsHelp } from './command';
import { distDir } from './dist-dir';
import { deployPlan } from '../ops/deploy-plan';
import { Kubectl } from '../ops/kubectl';
import { readPhases } from '../ops/manifests';
import { runSteps } from '../ops/runner';

/** A first deploy on a fresh cluster pulls every image: minutes, not seconds. */
export const DEFAULT_TIMEOUT = '20m';

const USAGE = 'usage: npm run deploy -- [--context NAME] [--timeout DURATION] [--dry-run] [--force-conflicts] [--dist DIR]   (--help for more)\n';

/** `npm run deploy`'s description: its --help and its flags. */
export const DEPLOY: CommandDoc = {
  command: 'npm run deploy --',
  summary: 'Applies dist/ phase by phase with server-side apply, in the order a fresh cluster accepts, waiting between\n' +
    'phases as the guide does (CRDs established, Deployments available, webhooks serving). Running it twice changes nothing.',
  flags: [
    { name: 'context', value: 'NAME', description: 'the kubeconfig context to deploy to', default: 'the current context' },
    { name: 'timeout', value: 'DURATION', description: 'bounds the whole run (90s, 5m, 1h30m; at most 596h); a call that outlives it is killed with its children', default: DEFAULT_TIMEOUT },
    { name: 'dry-run', description: 'print the plan (every kubectl call) without running it' },
    { name: 'force-conflicts', description: 'take over fields another field manager owns (kubectl apply --force-conflicts)' },
    { name: 'dist', value: 'DIR', description: 'the output directory to deploy', default: '$CDK8S_OUTDIR, else dist' },
  ],
  env: [['KUBECTL', 'the kubectl to run (default: kubectl on PATH)'], ['KUBECONFIG', 'read by kubectl: the cluster to deploy to'], ['CDK8S_OUTDIR', 'the output directory, when --dist is not given']],
  exit: ['0  deployed (or planned, with --dry-run)', '1  a step failed or timed out', '2  bad arguments, or no dist/'],
  examples: ['npm run deploy', 'npm run deploy -- --context prod --timeout 30m', 'npm run deploy -- --dry-run'],
};

/** Runs the CLI; returns the exit code. */
export async function runDeploy(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, out = (s: string) => { process.stdout.write(s); }, retryDelayMs = 2000): Promise<number> {
  let args: Record<string, string | boolean | undefined>;
  let timeoutMs: number;
  try {
    if (wantsHelp(argv)) {
      out(helpText(DEPLOY));
      return 0;
    }
    args = parseCommand(DEPLOY, argv).flags;
    timeoutMs = parseDuration('timeout', String(args.timeout ?? DEFAULT_TIMEOUT));
  } catch (e: any) {
    out(`deploy: ${e.message}\n${USAGE}`);
    return 2;
  }
  const dist = distDir(env, args.dist);
  let phases;
  try {
    phases = readPhases(dist);
  } catch (e: any) {
    out(`deploy: ${e.message}\n`);
    return 2;
  }
  const timeout = String(args.timeout ?? DEFAULT_TIMEOUT);
  const steps = deployPlan(phases, args['force-conflicts'] === true);
  const kubectl = new Kubectl({ context: args.context as string | undefined, env });
  out(`${args['dry-run'] ? 'Plan' : 'Deploying'}: ${phases.length} phases from ${path.relative(process.cwd(), dist) || dist}, ${steps.length} steps\n`);
  const ok = await runSteps(steps, kubectl, out, args['dry-run'] === true, { timeout, timeoutMs, retryDelayMs });
  if (ok && !args['dry-run']) out('deployed. Try it: npm run smoke\n');
  return ok ? 0 : 1;
}

if (require.main === module) {
  runMain('deploy', () => runDeploy(process.argv.slice(2)));
}
