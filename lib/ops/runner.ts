import { Step } from './deploy-plan';
import { Kubectl } from './kubectl';

/** How the whole run is bounded. */
export interface RunLimits {
  /** The run's time limit, as the user gave it (`--timeout 20m`), for messages. */
  readonly timeout: string;
  /** The same in ms. */
  readonly timeoutMs: number;
  /** Pause between tries of a wait whose object does not exist yet, or of an apply a webhook refused. @default 2000 */
  readonly retryDelayMs?: number;
  /** How long an apply a webhook refused because it was not ready yet is tried again. @default WEBHOOK_GRACE_MS */
  readonly webhookGraceMs?: number;
}

/** Margin a wait's own `--timeout` leaves before the runner kills it, so kubectl can report what it waited for. */
const WAIT_MARGIN_MS = 2000;

const NOT_YET = /no matching resources found|NotFound|not found/i;
/**
 * The API server's refusal when an admission or conversion webhook does not answer yet, or not yet with a certificate
 * it trusts. Right after the wait that saw the webhook's endpoint ready this still happens: kube-proxy routes the
 * Service's ClusterIP moments after the endpoint turns ready, and cainjector writes the caBundle moments after the
 * certificate is issued.
 */
const WEBHOOK_NOT_READY = /(failed calling webhook "[^"]*"|conversion webhook for [^\n]* failed): [^\n]*(connect: connection refused|no endpoints available for service|i\/o timeout|no route to host|x509: certificate signed by unknown authority)/;
/** How long an apply refused that way is tried again before it counts as failed (a webhook that never comes up). */
export const WEBHOOK_GRACE_MS = 30_000;

/** kubectl's refusal to map a kind the server does not serve: on delete, it means no object of that kind exists. */
const UNMAPPED = /resource mapping not found for name: "[^"]*" namespace: "[^"]*" from "[^"]*": no matches for kind "[^"]*" in version "[^"]*"\s*ensure CRDs are installed first/g;
/** What is left of kubectl's stderr once its refusals to map are removed (with the `error:`, `[`, `,` it joins them with). */
const besidesUnmapped = (stderr: string) => stderr.replace(UNMAPPED, '').replace(/error:|[[\],\s]/g, '');

/**
 * Runs steps one by one, printing one line per step with the elapsed time; stops at the first failure. Every kubectl
 * call gets what is left of the run's time limit: waits as their `--timeout`, and any call that outlives it is killed.
 */
export async function runSteps(steps: readonly Step[], kubectl: Pick<Kubectl, 'run' | 'display'>, out: (s: string) => void, dryRun: boolean, limits: RunLimits): Promise<boolean> {
  const started = Date.now();
  const deadline = started + limits.timeoutMs;
  const retryDelayMs = limits.retryDelayMs ?? 2000;
  const webhookGraceMs = limits.webhookGraceMs ?? WEBHOOK_GRACE_MS;
  const stamp = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s]`;
  const argsFor = (step: Step, leftMs: number) =>
    (step.bounded ? [...step.args, `--timeout=${Math.max(1, Math.floor((leftMs - WAIT_MARGIN_MS) / 1000))}s`] : step.args);
  for (const [i, step] of steps.entries()) {
    const command = (args: readonly string[]) => `${kubectl.display(args)}${step.input !== undefined ? ` < (${step.source ?? 'objects from dist/'})` : ''}`;
    const n = `${String(i + 1).padStart(2)}/${steps.length}`;
    if (dryRun) {
      const shown = step.bounded ? [...step.args, `--timeout=<what is left of ${limits.timeout}>`] : step.args;
      out(`${n} ${step.title}\n      $ ${command(shown)}\n`);
      continue;
    }
    const fail = (lines: string[]) => {
      out(`${stamp()} ${n} FAILED: ${step.title}\n${lines.map(l => `  ${l.split('\n').join('\n  ')}\n`).join('')}`);
      if (step.inspect) out(`  inspect with: ${step.inspect}\n`);
      return false;
    };
    let args = argsFor(step, deadline - Date.now());
    if (Date.now() >= deadline) return fail([`--timeout ${limits.timeout} ran out before this step: ${command(args)}`]);
    let result = await kubectl.run(args, step.input, deadline - Date.now());
    // A wait issued right after an apply may find nothing yet (an EndpointSlice not created): try again until the deadline.
    while (!result.killed && result.code !== 0 && args[0] === 'wait' && NOT_YET.test(result.stderr) && Date.now() + retryDelayMs < deadline) {
      await new Promise(r => setTimeout(r, retryDelayMs));
      args = argsFor(step, deadline - Date.now());
      result = await kubectl.run(args, step.input, deadline - Date.now());
    }
    // An apply a webhook refused because it is not ready yet: try again for a little while.
    const refusedSince = Date.now();
    let retried = false;
    while (!result.killed && result.code !== 0 && args[0] === 'apply' && WEBHOOK_NOT_READY.test(result.stderr)
      && Date.now() - refusedSince < webhookGraceMs && Date.now() + retryDelayMs < deadline) {
      await new Promise(r => setTimeout(r, retryDelayMs));
      retried = true;
      result = await kubectl.run(args, step.input, deadline - Date.now());
    }
    if (result.killed) {
      return fail([`killed when --timeout ${limits.timeout} ran out (${((Date.now() - started) / 1000).toFixed(1)} s in), still running: ${command(args)}`,
        ...(result.stderr.trim() ? [result.stderr.trim()] : [])]);
    }
    const stderr = result.stderr.trim();
    const unmapped = args[0] === 'delete' ? (stderr.match(UNMAPPED) ?? []).length : 0;
    const onlyUnmapped = unmapped > 0 && besidesUnmapped(stderr) === '';
    if (result.code !== 0 && !onlyUnmapped) {
      const timedOut = args[0] === 'wait' && /timed out/i.test(stderr);
      const why = retried && WEBHOOK_NOT_READY.test(stderr) ? `kubectl failed (a webhook did not answer for ${((Date.now() - refusedSince) / 1000).toFixed(1)} s)` : timedOut ? 'gave up waiting' : 'kubectl failed';
      return fail([`${why}: ${command(args)}`, ...(stderr ? [stderr] : [])]);
    }
    const note = onlyUnmapped ? ` (${unmapped} of kinds the cluster does not serve: none exist)`
      : retried ? ` (once a webhook answered, ${((Date.now() - refusedSince) / 1000).toFixed(1)} s after it first refused)` : '';
    out(`${stamp()} ${n} ok: ${step.title}${note}\n`);
  }
  return true;
}
