/**
 * `npm run smoke -- [--url URL] [--host HOST] [--requests N] [--context NAME] [--budget N] [--model M] [--path P]`:
 * the guide's end-to-end test of the token budget against a running cluster (see `lib/ops/smoke.ts`).
 *
 * What to test comes from the synthesized dist/ (`$CDK8S_OUTDIR` or `<repo>/dist`): the budgeted route's hostname,
 * the budget's tokens, the backend's model and the gateway. Without `--url`, the gateway's Service is port-forwarded
 * with kubectl (`$KUBECTL` or `kubectl` on PATH) for the duration of the run.
 * Exit 0: PASS; 1: FAIL; 2: bad arguments, or the test could not start.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import { stopGroup, trackGroup } from '../ops/child-process';
import { runSmoke, SMOKE_DEFAULTS } from '../ops/smoke';
import { CommandDoc, helpText, parseCommand, runMain, wantsHelp } from './command';
import { distDir } from './dist-dir';

const USAGE = 'usage: npm run smoke -- [--url URL] [--host HOST] [--requests N] [--context NAME] [--budget N] [--model M] [--path P]   (--help for more)';

/** `npm run smoke`'s description: its --help and its flags. */
export const SMOKE: CommandDoc = {
  command: 'npm run smoke --',
  summary: 'The guide\'s end-to-end test of the token budget against a running cluster: one request, then a burst that must\n' +
    'be cut off with 429 once the budget is spent. What to test comes from dist/; without --url the gateway is port-forwarded.',
  flags: [
    { name: 'url', value: 'URL', description: 'the gateway\'s base URL', default: 'a kubectl port-forward to the gateway\'s Service' },
    { name: 'host', value: 'HOST', description: 'the Host header', default: 'the budgeted route\'s hostname in dist/' },
    { name: 'requests', value: 'N', description: 'requests in the burst', default: String(SMOKE_DEFAULTS.requests) },
    { name: 'context', value: 'NAME', description: 'the kubeconfig context for the port-forward', default: 'the current context' },
    { name: 'budget', value: 'N', description: 'the budget in tokens', default: 'the AgentgatewayPolicy\'s in dist/' },
    { name: 'model', value: 'M', description: 'the model in the request body', default: 'the backend\'s model in dist/, else ' + SMOKE_DEFAULTS.model },
    { name: 'path', value: 'P', description: 'the request path', default: 'the route\'s path match in dist/, else ' + SMOKE_DEFAULTS.path },
  ],
  env: [['KUBECTL', 'the kubectl for the port-forward (default: kubectl on PATH)'], ['CDK8S_OUTDIR', 'the output directory read (default: dist)']],
  exit: ['0  PASS', '1  FAIL', '2  bad arguments, or the test could not start'],
  examples: ['npm run smoke', 'npm run smoke -- --url http://localhost:8080 --host mock-llm.example.com --budget 100'],
};

/** How long kubectl may take to report the forwarded port: it first has to find a ready pod behind the Service. */
const PORT_FORWARD_TIMEOUT_MS = 30_000;

/** A reason the test cannot start (exit 2), as opposed to a failed test (exit 1). */
export class CannotStartError extends Error {}

/** Bad command-line arguments: also exit 2, with the usage. */
class BadArgumentsError extends CannotStartError {}

/** What dist/ says about the budgeted route; fields stay undefined where dist/ does not say. */
export interface SmokeTarget {
  /** `namespace/name` of the AgentgatewayPolicy with the token budget. */
  readonly policy: string;
  readonly budgetTokens: number;
  /** `namespace/name` of the route the policy targets, when dist/ holds it. */
  readonly route?: string;
  readonly host?: string;
  readonly model?: string;
  /** The route's first path match; the gateway only sends requests matching it to the backend. */
  readonly path?: string;
  readonly gateway?: { readonly name: string; readonly namespace: string };
}

type Doc = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string }; spec?: any };

/**
 * Reads the budget and its route from the synthesized app charts. Only `*-models.k8s.yaml` and `*-ingress.k8s.yaml`
 * are parsed: the rest of dist/ is megabytes of platform YAML (CRDs, controllers) that never holds them.
 */
export function readSmokeTarget(distPath: string): SmokeTarget {
  const { docs, names, distDir } = readAppDocs(distPath);
  try {
    return targetOf(docs, names, distDir);
  } catch (e: any) {
    if (e instanceof CannotStartError) throw e;
    // dist/ was edited by hand, or comes from elsewhere: an object is not what its kind says.
    throw new CannotStartError(`an object in ${names.join(', ')} of ${distDir} is malformed (${e.message}): ` +
      'run `npm run validate` to find it, or pass --url, --budget and --host');
  }
}

function readAppDocs(distPath: string): { docs: Doc[]; names: string[]; distDir: string } {
  let names: string[];
  let distDir = distPath;
  try {
    // One version of dist/ (a link a synth may swap meanwhile), resolved once so both files come from it.
    distDir = fs.realpathSync(distPath);
    names = fs.readdirSync(distDir).filter(f => f.endsWith('-models.k8s.yaml') || f.endsWith('-ingress.k8s.yaml')).sort();
  } catch (e: any) {
    throw new CannotStartError(`cannot read ${distDir} (${e.code ?? e.message}): run \`npm run synth\` first, or pass --budget and --host`);
  }
  if (names.length === 0) {
    throw new CannotStartError(`${distDir} holds no *-models.k8s.yaml or *-ingress.k8s.yaml: run \`npm run synth\` first, or pass --budget and --host`);
  }
  const docs: Doc[] = [];
  for (const name of names) {
    const file = path.join(distDir, name);
    try {
      docs.push(...(jsyaml.loadAll(fs.readFileSync(file, 'utf8')) as Doc[]).filter(d => d && typeof d === 'object'));
    } catch (e: any) {
      throw new CannotStartError(`cannot parse ${file}: ${e.message}`);
    }
  }
  return { docs, names, distDir };
}

function targetOf(docs: Doc[], names: string[], distDir: string): SmokeTarget {
  const find = (kind: string, name: string, namespace: string | undefined) =>
    docs.find(d => d.kind === kind && d.metadata?.name === name && (d.metadata?.namespace ?? 'default') === (namespace ?? 'default'));

  const budgets = docs.filter(d => d.kind === 'AgentgatewayPolicy' && Array.isArray(d.spec?.traffic?.rateLimit?.local)
    && d.spec.traffic.rateLimit.local.some((l: any) => typeof l?.tokens === 'number'));
  if (budgets.length === 0) throw new CannotStartError(`no AgentgatewayPolicy with spec.traffic.rateLimit.local in ${names.join(', ')} of ${distDir}`);
  // Several budgets (a team chart with two models): the first is tested, the others can be through the flags.
  const policy = budgets[0];
  const ns = policy.metadata?.namespace;
  const budgetTokens: number = policy.spec.traffic.rateLimit.local.find((l: any) => typeof l?.tokens === 'number').tokens;
  const policyName = `${ns ?? 'default'}/${policy.metadata?.name}`;

  // Policy targets are namespace-local: the route is in the policy's namespace.
  const routeRef = (policy.spec.targetRefs ?? []).find((r: any) => r?.kind === 'HTTPRoute');
  const route = routeRef ? find('HTTPRoute', routeRef.name, ns) : undefined;
  if (!route) return { policy: policyName, budgetTokens, route: routeRef ? `${ns ?? 'default'}/${routeRef.name}` : undefined };

  const spec = route.spec ?? {};
  const routeNs = route.metadata?.namespace;
  const parent = spec.parentRefs?.[0];
  const rule = (spec.rules ?? []).find((r: any) => (r.backendRefs ?? []).some((b: any) => b?.kind === 'AgentgatewayBackend')) ?? spec.rules?.[0];
  const backendRef = (rule?.backendRefs ?? []).find((b: any) => b?.kind === 'AgentgatewayBackend');
  const backend = backendRef ? find('AgentgatewayBackend', backendRef.name, backendRef.namespace ?? routeNs) : undefined;
  // `spec.ai.provider` holds one provider key (openai, anthropic, ...) beside host/port/path; its `model` is the one.
  const provider = backend?.spec?.ai?.provider ?? {};
  const model = Object.values(provider).map((p: any) => p?.model).find(m => typeof m === 'string');
  const match = (rule?.matches ?? []).find((m: any) => typeof m?.path?.value === 'string')?.path?.value;
  return {
    policy: policyName,
    budgetTokens,
    route: `${routeNs ?? 'default'}/${route.metadata?.name}`,
    host: spec.hostnames?.[0],
    model,
    path: match && match !== '/' ? match : undefined,
    gateway: parent?.name ? { name: parent.name, namespace: parent.namespace ?? routeNs ?? 'default' } : undefined,
  };
}

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
    if (host === undefined && target?.route) {
      throw new CannotStartError(`HTTPRoute ${target.route} is not in ${distDirectory} (or has no hostnames): pass --host`);
    }

    let url = values.url;
    if (url === undefined) {
      const gateway = target?.gateway;
      if (!gateway) throw new CannotStartError(`no gateway found for the budgeted route in ${distDirectory}: pass --url`);
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
      budgetTokens: budget ?? target!.budgetTokens,
    };
    const source = budget !== undefined ? '--budget' : `AgentgatewayPolicy ${target!.policy}${target!.route ? ` on HTTPRoute ${target!.route}` : ''}`;
    out(`budget: ${o.budgetTokens} tokens (${source})\n`);
    out(`POST ${url.replace(/\/+$/, '')}${o.path}${host ? ` (Host: ${host})` : ''}, model ${o.model}: 1 request, then a burst of ${o.requests}\n`);
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
