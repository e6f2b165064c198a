import { Step } from './deploy-plan';
import { Kubectl } from './kubectl';

/** How long a wait keeps retrying while what it waits for does not exist yet (kubectl wait fails at once then). */
function retryWindowMs(step: Step): number {
  const t = step.args.find(a => a.startsWith('--timeout='))?.slice('--timeout='.length);
  if (step.args[0] !== 'wait' || !t) return 0;
  return [...t.matchAll(/(\d+)(h|m|s)/g)].reduce((ms, [, n, u]) => ms + Number(n) * { h: 3_600_000, m: 60_000, s: 1000 }[u as 'h' | 'm' | 's'], 0);
}

/** Runs steps one by one, printing one line per step with the elapsed time; stops at the first failure. */
export async function runSteps(steps: readonly Step[], kubectl: Kubectl, out: (s: string) => void, dryRun: boolean, retryDelayMs = 2000): Promise<boolean> {
  const started = Date.now();
  const stamp = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s]`;
  for (const [i, step] of steps.entries()) {
    const n = `${String(i + 1).padStart(2)}/${steps.length}`;
    if (dryRun) {
      out(`${n} ${step.title}\n      $ ${kubectl.display(step.args)}${step.input !== undefined ? ' <<< (the objects above, from dist/)' : ''}\n`);
      continue;
    }
    const deadline = Date.now() + retryWindowMs(step);
    let result = await kubectl.run(step.args, step.input);
    // A wait issued right after an apply may find nothing yet (an EndpointSlice not created): try again until the timeout.
    while (result.code !== 0 && /no matching resources found|NotFound|not found/i.test(result.stderr) && Date.now() + retryDelayMs < deadline) {
      await new Promise(r => setTimeout(r, retryDelayMs));
      result = await kubectl.run(step.args, step.input);
    }
    if (result.code !== 0) {
      const timedOut = /timed out|timeout/i.test(result.stderr);
      out(`${stamp()} ${n} FAILED: ${step.title}\n`);
      out(`  ${timedOut ? 'gave up waiting' : 'kubectl failed'}: ${kubectl.display(step.args)}\n`);
      if (result.stderr.trim()) out(`  ${result.stderr.trim().split('\n').join('\n  ')}\n`);
      if (step.inspect) out(`  inspect with: ${step.inspect}\n`);
      return false;
    }
    out(`${stamp()} ${n} ok: ${step.title}\n`);
  }
  return true;
}
