/**
 * `npm run destroy -- [--include-crds] [--yes] [--context NAME] [--timeout DURATION] [--dry-run]`: deletes what
 * dist/ describes, in reverse apply order, and waits for its namespaces to go. CRDs stay unless `--include-crds`.
 * The shared platform (Gateway API, agentgateway, cert-manager, KServe) is deleted only after a yes at the prompt,
 * or with `--yes`; without a terminal to ask, it is kept. `--timeout` (default 10m) bounds the whole run: every
 * kubectl call gets what is left of it, and one that outlives it is killed.
 */
import * as readline from 'readline';
import { parseDuration } from '../ops/args';
import { CommandDoc, helpText, parseCommand, runMain, wantsHelp } from './command';
import { distDir } from './dist-dir';
import { destroyPlan } from '../ops/destroy-plan';
import { Kubectl } from '../ops/kubectl';
import { Phase, isPlatformPhase, readPhases } from '../ops/manifests';
import { runSteps } from '../ops/runner';

const USAGE = 'usage: npm run destroy -- [--include-crds] [--yes] [--context NAME] [--timeout DURATION] [--dry-run] [--dist DIR]   (--help for more)\n';

/** `npm run destroy`'s description: its --help and its flags. */
export const DESTROY: CommandDoc = {
  command: 'npm run destroy --',
  summary: 'Deletes what dist/ describes, in reverse apply order, and waits for its namespaces to go. CRDs (and with them\n' +
    'every custom resource in the cluster) stay unless --include-crds, which asks first on a terminal.',
  flags: [
    { name: 'include-crds', description: 'also delete the CRDs dist/ installs (and every object of their kinds, anyone\'s)' },
    { name: 'yes', description: 'do not ask before deleting CRDs' },
    { name: 'context', value: 'NAME', description: 'the kubeconfig context', default: 'the current context' },
    { name: 'timeout', value: 'DURATION', description: 'bounds the whole run (90s, 5m, 1h30m; at most 596h)', default: '10m' },
    { name: 'dry-run', description: 'print the plan without running it' },
    { name: 'dist', value: 'DIR', description: 'the output directory whose objects to delete', default: '$CDK8S_OUTDIR, else dist' },
  ],
  env: [['KUBECTL', 'the kubectl to run (default: kubectl on PATH)'], ['KUBECONFIG', 'read by kubectl: the cluster'], ['CDK8S_OUTDIR', 'the output directory, when --dist is not given']],
  exit: ['0  deleted (or planned)', '1  a step failed or timed out', '2  bad arguments, or no dist/'],
  examples: ['npm run destroy', 'npm run destroy -- --include-crds --yes --timeout 15m'],
};

/** Asks a yes/no question on a terminal; undefined when there is none. */
export type Ask = (question: string) => Promise<boolean | undefined>;

const askOnTerminal: Ask = async question => {
  if (!process.stdin.isTTY) return undefined;
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  const answer = await new Promise<string>(resolve => rl.question(question, resolve));
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
};

/** Runs the CLI; returns the exit code. */
export async function runDestroy(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, out = (s: string) => { process.stdout.write(s); },
  ask: Ask = askOnTerminal, retryDelayMs = 2000): Promise<number> {
  let args: Record<string, string | boolean | undefined>;
  let timeoutMs: number;
  try {
    if (wantsHelp(argv)) {
      out(helpText(DESTROY));
      return 0;
    }
    args = parseCommand(DESTROY, argv).flags;
    timeoutMs = parseDuration('timeout', String(args.timeout ?? '10m'));
  } catch (e: any) {
    out(`destroy: ${e.message}\n${USAGE}`);
    return 2;
  }
  const dist = distDir(env, args.dist);
  let phases: Phase[];
  try {
    phases = readPhases(dist);
  } catch (e: any) {
    out(`destroy: ${e.message}\n`);
    return 2;
  }
  const isPlatform = (p: Phase) => isPlatformPhase(p.name);
  const platform = phases.filter(isPlatform).map(p => p.name);
  let includePlatform = args.yes === true;
  if (!includePlatform && platform.length > 0 && !args['dry-run']) {
    const answer = await ask(`Also delete the shared platform (${platform.join(', ')})? Other workloads on the cluster may use it. [y/N] `);
    includePlatform = answer === true;
    if (answer === undefined) out(`no terminal to ask: keeping the shared platform (${platform.join(', ')}); pass --yes to delete it too\n`);
  }
  const steps = destroyPlan(phases, {
    includeCrds: args['include-crds'] === true,
    includePlatform: includePlatform || args['dry-run'] === true,
    isPlatform,
  });
  const timeout = String(args.timeout ?? '10m');
  if (!args['include-crds']) out('keeping CustomResourceDefinitions (deleting one deletes every object of its kind); pass --include-crds to delete them\n');
  const ok = await runSteps(steps, new Kubectl({ context: args.context as string | undefined, env }), out, args['dry-run'] === true,
    { timeout, timeoutMs, retryDelayMs });
  return ok ? 0 : 1;
}

if (require.main === module) {
  runMain('destroy', () => runDestroy(process.argv.slice(2)));
}
