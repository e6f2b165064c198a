// deploy and destroy against a recording fake kubectl on PATH: no cluster needed.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runDeploy } from '../lib/cli/deploy';
import { runDestroy } from '../lib/cli/destroy';
import { readPhases } from '../lib/ops/manifests';
import { TEST_DIST as dist } from './global-setup';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-test-'));

/** A PATH whose `kubectl` records its calls. */
function fakeCluster(extra: NodeJS.ProcessEnv = {}) {
  const bin = tmp();
  fs.copyFileSync(path.join(__dirname, 'fixtures', 'fake-kubectl'), path.join(bin, 'kubectl'));
  fs.chmodSync(path.join(bin, 'kubectl'), 0o755);
  const log = path.join(tmp(), 'calls.jsonl');
  const env = { ...process.env, KUBECTL: '', PATH: `${bin}${path.delimiter}${process.env.PATH}`, FAKE_KUBECTL_LOG: log, CDK8S_OUTDIR: dist, ...extra };
  const calls = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').slice(0, -1) : []).map(l => {
    const fields = l.split('\x1f');
    return { args: fields.slice(0, -1), stdin: fs.readFileSync(fields[fields.length - 1], 'utf8') };
  });
  return { env, calls };
}

async function run(fn: (argv: string[], env: NodeJS.ProcessEnv, out: (s: string) => void) => Promise<number>, argv: string[], env: NodeJS.ProcessEnv) {
  let out = '';
  const code = await fn(argv, env, s => (out += s));
  return { code, out };
}

const phases = readPhases(dist);
const indexOf = (calls: { args: string[] }[], pred: (a: string[]) => boolean) => calls.findIndex(c => pred(c.args));
const applies = (file: string) => (a: string[]) => a[0] === 'apply' && a.includes(path.join(dist, file));

describe('npm run deploy', () => {
  // One deploy against the fake cluster serves the ordering tests; each reads its call log.
  const shared = fakeCluster();
  let sharedRun: { code: number; out: string };
  beforeAll(async () => {
    sharedRun = await run(runDeploy, [], shared.env);
  });

  test('applies every dist/ file with server-side apply, in file order', () => {
    const { calls } = shared;
    expect(sharedRun.code).toBe(0);
    const applied = calls().filter(c => c.args[0] === 'apply');
    expect(applied.map(c => path.basename(c.args[c.args.length - 1]))).toEqual(phases.map(p => path.basename(p.file)));
    for (const c of applied) expect(c.args).toEqual(expect.arrayContaining(['--server-side', '--field-manager=kserve-agentgateway-stack']));
  });

  test('applies each custom resource only after a wait for its CRD to be established', () => {
    const log = shared.calls();
    const established = (crd: string) => indexOf(log, a => a[0] === 'wait' && a.includes('--for=condition=Established') && a.includes(`crd/${crd}`));
    const pairs: [string, string][] = [
      ['gateways.gateway.networking.k8s.io', '0006-ingress.k8s.yaml'],
      ['httproutes.gateway.networking.k8s.io', '0007-models.k8s.yaml'],
      ['agentgatewaypolicies.agentgateway.dev', '0007-models.k8s.yaml'],
      ['inferenceservices.serving.kserve.io', '0007-models.k8s.yaml'],
      ['certificates.cert-manager.io', '0004-kserve.k8s.yaml'],
      ['clusterstoragecontainers.serving.kserve.io', '0005-kserve-resources.k8s.yaml'],
      ['issuers.cert-manager.io', '0004-kserve.k8s.yaml'],
    ];
    for (const [crd, file] of pairs) {
      expect(established(crd)).toBeGreaterThanOrEqual(0);
      expect(established(crd)).toBeLessThan(indexOf(log, applies(file)));
    }
  });

  test('applies KServe only after cert-manager is available and serving its webhook', () => {
    const log = shared.calls();
    const certManagerReady = indexOf(log, a => a[0] === 'wait' && a.includes('cert-manager') && a.includes('--for=condition=Available'));
    const webhook = indexOf(log, a => a[0] === 'wait' && a.includes('kubernetes.io/service-name=cert-manager-webhook'));
    const kserve = indexOf(log, applies('0003-kserve-crds.k8s.yaml'));
    expect(certManagerReady).toBeGreaterThan(indexOf(log, applies('0002-cert-manager.k8s.yaml')));
    expect(certManagerReady).toBeLessThan(kserve);
    expect(webhook).toBeLessThan(kserve);
  });

  test('applies the InferenceService only after KServe\'s controller and webhook are up, then waits for the guide\'s conditions', () => {
    const log = shared.calls();
    const models = indexOf(log, applies('0007-models.k8s.yaml'));
    expect(indexOf(log, a => a.includes('deployment/kserve-controller-manager'))).toBeLessThan(models);
    expect(indexOf(log, a => a.includes('kubernetes.io/service-name=kserve-webhook-server-service'))).toBeLessThan(models);
    expect(indexOf(log, a => a.includes('certificate.cert-manager.io/serving-cert'))).toBeLessThan(models);
    const gateway = indexOf(log, a => a.includes('--for=condition=Programmed') && a.includes('gateway.gateway.networking.k8s.io/kserve-ingress-gateway'));
    expect(gateway).toBeGreaterThan(indexOf(log, applies('0006-ingress.k8s.yaml')));
    expect(gateway).toBeLessThan(models);
    const after = log.slice(models + 1).map(c => c.args.join(' '));
    expect(after).toEqual([
      expect.stringMatching(/--for=condition=Ready .*inferenceservice.serving.kserve.io\/mock-llm/),
      expect.stringMatching(/type=="Accepted".*agentgatewaypolicy.agentgateway.dev\/llm-token-budget/),
      expect.stringMatching(/type=="Attached".*agentgatewaypolicy.agentgateway.dev\/llm-token-budget/),
    ]);
  });

  test('is idempotent and honours --context and --timeout: a second run issues the same calls, in that context', async () => {
    const first = shared.calls().map(c => c.args);
    expect((await run(runDeploy, ['--context', 'kind-llm', '--timeout', '5m'], shared.env)).code).toBe(0);
    const second = shared.calls().slice(first.length).map(c => c.args);
    for (const args of second) expect(args.slice(0, 2)).toEqual(['--context', 'kind-llm']);
    expect(second.map(a => a.slice(2))).toEqual(first);
    for (const args of first.filter(a => a[0] === 'wait')) expect(args).toContain('--timeout=5m');
  });

  test('on a timeout, says what it waited for and how to inspect it, and stops', async () => {
    const { env, calls } = fakeCluster({ FAKE_KUBECTL_FAIL: 'deployment/kserve-controller-manager' });
    const { code, out } = await run(runDeploy, ['--timeout', '2m'], env);
    expect(code).toBe(1);
    expect(out).toMatch(/FAILED: wait: Deployments available in kserve \(kserve-controller-manager/);
    expect(out).toMatch(/gave up waiting: kubectl wait -n kserve --for=condition=Available --timeout=2m deployment\/kserve-controller-manager/);
    expect(out).toMatch(/inspect with: kubectl describe -n kserve deployment kserve-controller-manager/);
    expect(calls().some(c => c.args.includes(path.join(dist, '0007-models.k8s.yaml')))).toBe(false);
  });

  test('retries a wait whose object does not exist yet', async () => {
    const { env } = fakeCluster({ FAKE_KUBECTL_NOT_YET: 'kubernetes.io/service-name=cert-manager-webhook' });
    let out = '';
    const code = await runDeploy([], env, s => (out += s), 10);
    expect(code).toBe(0);
    expect(out).toMatch(/ok: wait: webhook Service cert-manager\/cert-manager-webhook serving/);
  }, 10_000);

  test('prints one line per step with the elapsed time', () => {
    expect(sharedRun.out).toMatch(/^\[\s+\d+\.\ds\]\s+1\/\d+ ok: apply 0000-gateway-api \(12 objects\)$/m);
  });

  test('--dry-run prints the plan and calls no kubectl', async () => {
    const { env, calls } = fakeCluster();
    const { code, out } = await run(runDeploy, ['--dry-run'], env);
    expect(code).toBe(0);
    expect(calls()).toEqual([]);
    expect(out).toMatch(/\$ kubectl apply --server-side --field-manager=kserve-agentgateway-stack -f .*0000-gateway-api.k8s.yaml/);
  });

  test('rejects a bad --timeout', async () => {
    const { env } = fakeCluster();
    expect((await run(runDeploy, ['--timeout', 'soon'], env)).code).toBe(2);
  });
});

describe('npm run destroy', () => {
  const deleted = (calls: { args: string[]; stdin: string }[]) => calls.filter(c => c.args[0] === 'delete');

  test('deletes in reverse order, keeps CRDs, and waits for namespaces to go', async () => {
    const { env, calls } = fakeCluster();
    const { code } = await run(runDestroy, ['--yes'], env);
    expect(code).toBe(0);
    const log = calls();
    const order = deleted(log).map(c => c.stdin.match(/^kind: (\w+)/m)?.[1]);
    expect(order[0]).toBe('Namespace'); // models: namespace kserve-test first in its file
    const stdinAll = deleted(log).map(c => c.stdin).join('\n');
    expect(stdinAll).not.toMatch(/^kind: CustomResourceDefinition/m);
    expect(log.some(c => c.args.some(a => a.startsWith('crd/')))).toBe(false);
    const models = deleted(log).findIndex(c => /name: mock-llm$/m.test(c.stdin));
    const kserve = deleted(log).findIndex(c => /name: kserve-controller-manager$/m.test(c.stdin));
    const certManager = deleted(log).findIndex(c => /name: cert-manager-webhook$/m.test(c.stdin));
    expect(models).toBeLessThan(kserve);
    expect(kserve).toBeLessThan(certManager);
    const waitGone = log.findIndex(c => c.args[0] === 'wait' && c.args.includes('--for=delete') && c.args.includes('namespace/kserve-test'));
    expect(waitGone).toBeGreaterThan(log.findIndex(c => c.args[0] === 'delete'));
  });

  test('deletes CRDs only with --include-crds, after the objects of their phase', async () => {
    const { env, calls } = fakeCluster();
    await run(runDestroy, ['--yes', '--include-crds'], env);
    const log = calls();
    const crdDelete = log.findIndex(c => c.args[0] === 'delete' && c.args.includes('crd/inferenceservices.serving.kserve.io'));
    expect(crdDelete).toBeGreaterThan(log.findIndex(c => c.args[0] === 'delete' && /name: kserve-controller-manager$/m.test(c.stdin)));
  });

  test('asks before deleting the shared platform, and keeps it on no', async () => {
    const { env, calls } = fakeCluster();
    let asked = '';
    let out = '';
    await runDestroy([], env, s => (out += s), async q => { asked = q; return false; });
    expect(asked).toMatch(/Also delete the shared platform \(0000-gateway-api, 0001-agentgateway, 0002-cert-manager, 0003-kserve-crds, 0004-kserve, 0005-kserve-resources\)\?/);
    const stdinAll = deleted(calls()).map(c => c.stdin).join('\n');
    expect(stdinAll).toMatch(/name: mock-llm$/m);
    expect(stdinAll).not.toMatch(/name: kserve-controller-manager$/m);
  });

  test('without a terminal to ask and without --yes, keeps the platform and says so', async () => {
    const { env } = fakeCluster();
    let out = '';
    await runDestroy([], env, s => (out += s), async () => undefined);
    expect(out).toMatch(/no terminal to ask: keeping the shared platform/);
  });
});
