// The step runner against an in-process kubectl that answers as told: time limits, messages, retries.
import { Step } from '../lib/ops/deploy-plan';
import { Kubectl, KubectlResult } from '../lib/ops/kubectl';
import { RunLimits, runSteps } from '../lib/ops/runner';
import { kubeDouble } from './kube-double/build';

/** A kubectl whose every call is answered by `answer`; records the calls and the time limit each got. */
function scripted(answer: (args: readonly string[], timeoutMs: number) => Promise<Partial<KubectlResult>> | Partial<KubectlResult>) {
  const calls: { args: string[]; timeoutMs: number }[] = [];
  const real = new Kubectl();
  return {
    calls,
    display: (args: readonly string[]) => real.display(args),
    run: async (args: readonly string[], _input?: string, timeoutMs = Infinity): Promise<KubectlResult> => {
      calls.push({ args: [...args], timeoutMs });
      return { code: 0, stdout: '', stderr: '', ...(await answer(args, timeoutMs)) };
    },
  };
}

const apply: Step = { title: 'apply 0000-x (1 object)', args: ['apply', '-f', 'x.yaml'] };
const wait: Step = { title: 'wait: Deployments available in x (x)', args: ['wait', '-n', 'x', '--for=condition=Available', 'deployment/x'], bounded: true, inspect: 'kubectl describe -n x deployment x' };
const limits = { timeout: '1m', timeoutMs: 60_000, retryDelayMs: 1 };

async function run(steps: Step[], kubectl: ReturnType<typeof scripted>, l: RunLimits = limits) {
  let out = '';
  const ok = await runSteps(steps, kubectl, s => (out += s), false, l);
  return { ok, out };
}

describe('runSteps', () => {
  test('gives every call what is left of the time limit, and every wait a --timeout a little shorter', async () => {
    const k = scripted(() => ({}));
    expect((await run([apply, wait], k)).ok).toBe(true);
    expect(k.calls[0].timeoutMs).toBeGreaterThan(59_000);
    expect(k.calls[0].timeoutMs).toBeLessThanOrEqual(60_000);
    expect(k.calls[1].args).toEqual([...wait.args, expect.stringMatching(/^--timeout=5[78]s$/)]);
  });

  test('when a wait gives up, says what it waited for, what kubectl said and how to inspect it, and stops', async () => {
    const k = scripted(args => (args[0] === 'wait' ? { code: 1, stderr: 'error: timed out waiting for the condition on deployments/x\n' } : {}));
    const { ok, out } = await run([wait, apply], k);
    expect(ok).toBe(false);
    expect(out).toMatch(/^\[\s+[\d.]+s\]  1\/2 FAILED: wait: Deployments available in x \(x\)\n {2}gave up waiting: kubectl wait -n x --for=condition=Available deployment\/x --timeout=5[78]s\n {2}error: timed out waiting for the condition on deployments\/x\n {2}inspect with: kubectl describe -n x deployment x\n$/);
    expect(k.calls).toHaveLength(1);
  });

  test('names the step and the command of a call killed at the time limit', async () => {
    const k = scripted((_args, timeoutMs) => new Promise(r => setTimeout(() => r({ code: 143, killed: true }), timeoutMs)));
    const { ok, out } = await run([apply], k, { ...limits, timeout: '1s', timeoutMs: 50 });
    expect(ok).toBe(false);
    expect(out).toMatch(/1\/1 FAILED: apply 0000-x \(1 object\)\n {2}killed when --timeout 1s ran out \([\d.]+ s in\), still running: kubectl apply -f x.yaml\n$/);
  });

  test('does not start a step once the time limit has run out', async () => {
    const k = scripted(() => new Promise(r => setTimeout(() => r({}), 30)));
    const { ok, out } = await run([apply, apply], k, { ...limits, timeout: '1s', timeoutMs: 20 });
    expect(ok).toBe(false);
    expect(out).toMatch(/2\/2 FAILED: apply 0000-x \(1 object\)\n {2}--timeout 1s ran out before this step: kubectl apply -f x.yaml/);
  });

  test('retries a wait whose object does not exist yet', async () => {
    let tries = 0;
    const k = scripted(() => (++tries < 3 ? { code: 1, stderr: 'error: no matching resources found\n' } : {}));
    expect((await run([wait], k)).ok).toBe(true);
    expect(tries).toBe(3);
  });

  // The refusals kube-apiserver 1.34 gives (as the local control plane showed) while a webhook's Service is not
  // routed yet, or its caBundle not written yet.
  const refusedByAdmission = 'Error from server (InternalError): Internal error occurred: failed calling webhook "v.example.com": failed to call webhook: Post "https://w.x.svc:443/validate?timeout=10s": dial tcp 127.96.0.9:443: connect: connection refused\n';
  const refusedByConversion = 'Error from server: conversion webhook for example.com/v1, Kind=Thing failed: Post "https://w.x.svc:443/convert?timeout=30s": tls: failed to verify certificate: x509: certificate signed by unknown authority\n';

  test('tries an apply again while a webhook refuses it for not answering yet, and says how long it took', async () => {
    for (const refusal of [refusedByAdmission, refusedByConversion]) {
      let tries = 0;
      const { ok, out } = await run([apply], scripted(() => (++tries < 3 ? { code: 1, stderr: refusal } : {})));
      expect(ok).toBe(true);
      expect(tries).toBe(3);
      expect(out).toMatch(/1\/1 ok: apply 0000-x \(1 object\) \(once a webhook answered, [\d.]+ s after it first refused\)\n$/);
    }
  });

  test('gives up on an apply a webhook keeps refusing once the grace is over, saying so; other refusals are not tried again', async () => {
    let tries = 0;
    const { ok, out } = await run([apply], scripted(() => (++tries, { code: 1, stderr: refusedByAdmission })), { ...limits, retryDelayMs: 5, webhookGraceMs: 50 });
    expect(ok).toBe(false);
    expect(tries).toBeGreaterThan(1);
    expect(out).toMatch(/FAILED: apply 0000-x \(1 object\)\n {2}kubectl failed \(a webhook did not answer for [\d.]+ s\): kubectl apply -f x.yaml\n {2}Error from server \(InternalError\)/);
    let denied = 0;
    const refused = await run([apply], scripted(() => (++denied, { code: 1, stderr: 'Error from server (Forbidden): admission webhook "v.example.com" denied the request: no\n' })));
    expect(refused.ok).toBe(false);
    expect(denied).toBe(1);
  });

  test('takes a delete refused only for kinds the cluster does not serve as done (no such objects can exist), and fails on anything else', async () => {
    const unmapped = 'error: resource mapping not found for name: "default" namespace: "" from "STDIN": no matches for kind "Rule" in version "guard.example.com/v1"\nensure CRDs are installed first\n';
    const del: Step = { title: 'delete 0000-x (2 objects)', args: ['delete', '--ignore-not-found', '-f', '-'], input: '' };
    expect((await run([del], scripted(() => ({ code: 1, stderr: unmapped + unmapped })))).out).toMatch(/ok: delete 0000-x \(2 objects\) \(2 of kinds the cluster does not serve: none exist\)/);
    const other = await run([del], scripted(() => ({ code: 1, stderr: `${unmapped}Error from server (Forbidden): nope\n` })));
    expect(other.ok).toBe(false);
    expect(other.out).toMatch(/kubectl failed: .*\n[^]*Error from server \(Forbidden\): nope/);
  });
});

describe('Kubectl', () => {
  test('kills a call that outlives its time limit', async () => {
    const kubectl = new Kubectl({ env: kubeDouble({ KUBE_DOUBLE_HANG: 'apply' }).env });
    const started = Date.now();
    const result = await kubectl.run(['apply', '-f', '-'], 'kind: X\n', 300);
    expect(result.killed).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000); // killed at 0.3 s; a hang would be 60 s
  });
});
