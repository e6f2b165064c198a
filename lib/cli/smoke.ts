/**
 * `npm run smoke -- [--url URL] [--host HOST] [--requests N] [--context NAME] [--budget N] [--model M] [--path P]`:
 * the guide's end-to-end test of the token budget against a running cluster (see `lib/ops/smoke.ts`).
 *
 * What to test comes from the synthesized dist/ (`$CDK8S_OUTDIR` or `<repo>/dist`, see `lib/ops/smoke-target.ts`): the
 * budgeted route's hostname and path (an HTTPRoute, or the one KServe makes from an LLMInferenceService), the budget's
 * tokens, the backend's model and the gateway. Without a budget in dist/, the route KServe makes for an
 * LLMInferenceService must answer 200. Without `--url`, the gateway's Service is port-forwarded with kubectl
 * (`$KUBECTL` or `kubectl` on PATH) for the duration of the run.
 * Exit 0: PASS; 1: FAIL; 2: bad arguments, or the test could not start.
 */
import { ChildProcess, spawn } from 'child_process';
import { stopGroup, trackGroup } from '../ops/child-process';
import { runSmoke, SMOKE_DEFAULTS } from '../ops/smoke';
import { CannotStartError, readSmokeTarget } from '../ops/smoke-target';
import { CommandDoc, helpText, parseCommand, runMain, wantsHelp } from './command';
import { distDir } from './dist-dir';

export { CannotStartError, readSmokeTarget, SmokeTarget } from '../ops/smoke-target';

const USAGE = 'usage: npm run smoke -- [--url URL] [--host HOST] [--requests N] [--context NAME] [--budget N] [--model M] [--path P]   (--help for more)';

/** `npm run smoke`'s description: its --help and its flags. */
export const SMOKE: CommandDoc = {
  command: 'npm run smoke --',
  summary: 'The guide\'s end-to-end test of the token budget against a running cluster: one request, then a burst that must\n' +
    'be cut off with 429 once the budget is spent; with no budget in dist/ (an LLMInferenceService routed straight to its\n' +
    'InferencePool), one request that must answer 200. What to test comes from dist/; without --url the gateway is port-forwarded.',
  flags: [
    { name: 'url', value: 'URL', description: 'the gateway\'s base URL', default: 'a kubectl port-forward to the gateway\'s Service' },
    { name: 'host', value: 'HOST', description: 'the Host header', default: 'the route\'s hostname in dist/ (none: the URL\'s host)' },
    { name: 'requests', value: 'N', description: 'requests in the burst', default: String(SMOKE_DEFAULTS.requests) },
    { name: 'context', value: 'NAME', description: 'the kubeconfig context for the port-forward', default: 'the current context' },
    { name: 'budget', value: 'N', description: 'the budget in tokens', default: 'the AgentgatewayPolicy\'s in dist/ (none: no burst)' },
    { name: 'model', value: 'M', description: 'the model in the request body', default: 'the backend\'s model in dist/ (or the LLMInferenceService\'s), else ' + SMOKE_DEFAULTS.model },
    { name: 'path', value: 'P', description: 'the request path', default: 'the route\'s path match in dist/ (KServe\'s, for the route it makes), else ' + SMOKE_DEFAULTS.path },
  ],
  env: [['KUBECTL', 'the kubectl for the port-forward (default: kubectl on PATH)'], ['CDK8S_OUTDIR', 'the output directory read (default: dist)']],
  exit: ['0  PASS', '1  FAIL', '2  bad arguments, or the test could not start'],
  examples: ['npm run smoke', 'npm run smoke -- --url http://localhost:8080 --host mock-llm.example.com --budget 100'],
};

/** How long kubectl may take to report the forwarded port: it first has to find a ready pod behind the Service. */
const PORT_FORWARD_TIMEOUT_MS = 30_000;

/** Bad command-line arguments: also exit 2, with the usage. */
class BadArgumentsError extends CannotStartError {}

/** A running `kubectl port-forward` and the local URL it serves. */
export interface PortForward {
  readonly url: string;
  readonly child: ChildProcess;
  /** Stops kubectl; resolves once it has exited. */
  close(): Promise<void>;
}

/**
 * Port-forwards the gateway's proxy Service (agentgateway names it after the Gateway, in its namespace) to a free
 * local port, and resolves once kubectl reports the port. Local port 0 lets kubectl pick, so runs never collide.
 */
export function portForward(kubectl: string, context: string | undefined, gateway: { name: string; namespace: string },
  env: NodeJS.ProcessEnv = process.env, timeoutMs = PORT_FORWARD_TIMEOUT_MS): Promise<PortForward> {
  const args = [...(context ? ['--context', context] : []), 'port-forward', '-n', gateway.namespace, `svc/${gateway.name}`, '0:80'];
  const command = `${kubectl} ${args.join(' ')}`;
  return new Promise((resolve, reject) => {
    // Its own process group, killed whole on close or when this process is interrupted.
    const child = spawn(kubectl, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const untrack = trackGroup(child);
    let stdout = '';
    let stderr = '';
    let settled = false;
    // SIGTERM to its group first (kubectl exits cleanly on it); SIGKILL if it is still there after 2 s.
    const close = async () => {
      await stopGroup(child);
      untrack();
      child.stdout?.destroy();
      child.stderr?.destroy();
    };
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const said = stderr.trim();
      // Rejected only once kubectl is gone, so no caller is left with a stray process.
      void close().then(() => reject(new CannotStartError(`${command}: ${why}${said ? `\nkubectl said: ${said}` : ''}`)));
    };
    const timer = setTimeout(() => fail(`no "Forwarding from 127.0.0.1:<port> -> 80" within ${timeoutMs / 1000} s`), timeoutMs);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const m = /^Forwarding from 127\.0\.0\.1:(\d+) -> 80\s*$/m.exec(stdout);
      if (m && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${m[1]}`, child, close });
      }
    });
    // Kept for the error message; the tail is what explains a failure, and a long run must not grow it forever.
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-4000); });
    child.on('error', (e: NodeJS.ErrnoException) => fail(e.code === 'ENOENT' ? `${kubectl} not found (set $KUBECTL or put kubectl on PATH)` : e.message));
    child.on('exit', (code, signal) => fail(`kubectl exited (${signal ?? `code ${code}`}) before forwarding`));
  });
}

/** A positive whole number flag, or a CannotStartError naming it. */
function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new BadArgumentsError(`--${flag} must be a whole number >= 1, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** Runs the CLI; returns the exit code. */
export async function runSmokeCli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env,
  out: (s: string) => void = s => process.stdout.write(s), err: (s: string) => void = s => process.stderr.write(s)): Promise<number> {
  let forward: PortForward | undefined;
  try {
    let values: Record<string, string | undefined>;
    try {
      if (wantsHelp(argv)) {
        out(helpText(SMOKE));
        return 0;
      }
      values = parseCommand(SMOKE, argv).flags as Record<string, string | undefined>;
    } catch (e: any) {
      throw new BadArgumentsError(e.message);
    }
    const requests = positiveInt('requests', values.requests);
    const budget = positiveInt('budget', values.budget);

    // dist/ is only needed for what the flags leave open; with --url, --budget and --host it may be absent.
    const distDirectory = distDir(env);
    const needDist = budget === undefined || values.host === undefined || values.url === undefined;
    const target = needDist ? readSmokeTarget(distDirectory) : undefined;
    const host = values.host ?? target?.host;
    if (host === undefined && target?.missingRoute) {
      throw new CannotStartError(`HTTPRoute ${target.missingRoute}, which the budget targets, is not in ${distDirectory} (nor made by KServe from an LLMInferenceService there): pass --host`);
    }

    let url = values.url;
    if (url === undefined) {
      const gateway = target?.gateway;
      if (!gateway) throw new CannotStartError(`no gateway found for the route under test in ${distDirectory}: pass --url`);
      const kubectl = env.KUBECTL || 'kubectl';
      out(`port-forwarding svc/${gateway.name} in ${gateway.namespace}${values.context ? ` (context ${values.context})` : ''}...\n`);
      forward = await portForward(kubectl, values.context, gateway, env);
      url = forward.url;
    }

    const o = {
      url,
      host,
      path: values.path ?? target?.path ?? SMOKE_DEFAULTS.path,
      model: values.model ?? target?.model ?? SMOKE_DEFAULTS.model,
      requests: requests ?? SMOKE_DEFAULTS.requests,
      budgetTokens: budget ?? target?.budgetTokens,
    };
    const on = target?.route ? ` on HTTPRoute ${target.route}${target.routeMadeBy ? ` (made by ${target.routeMadeBy})` : ''}` : '';
    const post = `POST ${url.replace(/\/+$/, '')}${o.path}${host ? ` (Host: ${host})` : ''}, model ${o.model}`;
    if (o.budgetTokens === undefined) {
      // No budget in dist/ (plain InferencePool routing): the route must answer; there is nothing to spend.
      out(`budget: none in ${distDirectory}; testing that the route answers${on}\n`);
      out(`${post}: 1 request, which must answer 200\n`);
    } else {
      out(`budget: ${o.budgetTokens} tokens (${budget !== undefined ? '--budget' : `AgentgatewayPolicy ${target!.policy}${on}`})\n`);
      out(`${post}: 1 request, then a burst of ${o.requests}\n`);
    }
    const result = await runSmoke({ ...o, log: line => out(`${line}\n`) });
    return result.ok ? 0 : 1;
  } catch (e: any) {
    err(`smoke: ${e instanceof CannotStartError ? e.message : `internal error: ${e?.message ?? e}`}\n`);
    if (e instanceof BadArgumentsError) err(`${USAGE}\n`);
    return 2;
  } finally {
    await forward?.close();
  }
}

if (require.main === module) {
  runMain('smoke', () => runSmokeCli(process.argv.slice(2)));
}
