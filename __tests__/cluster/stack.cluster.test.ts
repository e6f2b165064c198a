// The stack's dist/ on a real control plane: each profile deploys on a fresh one with every wait really waited for,
// a second deploy changes nothing, a live stack moves to the hardened profile, destroy removes what it should, and
// the GitOps output applies phase by phase in sync-wave order.
import * as fs from 'fs';
import * as path from 'path';
import { runDeploy } from '../../lib/cli/deploy';
import { runDestroy } from '../../lib/cli/destroy';
import { FIELD_MANAGER } from '../../lib/ops/deploy-plan';
import { distOf, Live, withControlPlane } from './harness';

jest.setTimeout(600_000);

async function deploy(live: Live, dist: string): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runDeploy(['--timeout', '5m'], { ...live.env, CDK8S_OUTDIR: dist }, s => (out += s), 500);
  return { code, out };
}

/** `kubectl diff --server-side` of every dist/ file: what a second apply would change (nothing, when exit 0). */
async function serverDiff(live: Live, dist: string): Promise<string[]> {
  const changes: string[] = [];
  for (const f of fs.readdirSync(dist).filter(f => f.endsWith('.k8s.yaml')).sort()) {
    const r = await live.kubectl(['diff', '--server-side', '--force-conflicts', `--field-manager=${FIELD_MANAGER}`, '-f', path.join(dist, f)]);
    if (r.code !== 0) changes.push(`${f} (exit ${r.code}):\n${r.stdout}${r.stderr}`);
  }
  return changes;
}

const namespacesOf = (dist: string) => fs.readdirSync(dist).filter(f => f.endsWith('.k8s.yaml'))
  .flatMap(f => [...fs.readFileSync(path.join(dist, f), 'utf8').matchAll(/^kind: Namespace\nmetadata:\n(?:  .*\n)*?  name: (\S+)$/gm)].map(m => m[1]));

describe.each(['guide', 'hardened', 'tenants'] as const)('the %s profile on a fresh control plane', profile => {
  const live = withControlPlane();

  test('deploys in one run, every wait waited for, and a second deploy changes nothing', async () => {
    const dist = distOf(profile);
    const first = await deploy(live(), dist);
    expect({ code: first.code, out: first.out }).toEqual({ code: 0, out: expect.stringContaining('deployed.') });
    const steps = first.out.match(/^\[.*\] +(\d+)\/(\d+) ok: /gm) ?? [];
    expect(steps.length).toBeGreaterThan(10);
    expect(first.out).not.toMatch(/FAILED/);
    const second = await deploy(live(), dist);
    expect(second.code).toBe(0);
    expect(await serverDiff(live(), dist)).toEqual([]);
  });

  if (profile === 'guide') {
    test('a live default stack moves to the hardened profile, or stops naming the object and field the server refused', async () => {
      const hardened = await deploy(live(), distOf('hardened'));
      if (hardened.code !== 0) expect(hardened.out).toMatch(/FAILED[\s\S]*(is invalid|field is immutable|Forbidden)[\s\S]*: [a-z.[\]0-9]+:/);
      else expect(await serverDiff(live(), distOf('hardened'))).toEqual([]);
    });

    test('destroy removes the stack\'s objects, its namespaces finalize, and its CRDs stay', async () => {
      const dist = distOf('hardened');
      let out = '';
      const code = await runDestroy(['--yes', '--timeout', '5m'], { ...live().env, CDK8S_OUTDIR: dist }, s => (out += s), async () => undefined, 500);
      expect(code).toBe(0);
      const left = JSON.parse((await live().kubectl(['get', 'namespaces', '-o', 'json'])).stdout).items.map((n: any) => n.metadata.name);
      for (const ns of namespacesOf(dist)) expect(left).not.toContain(ns);
      const crds = (await live().kubectl(['get', 'crd', '-o', 'name'])).stdout;
      expect(crds).toMatch(/inferenceservices\.serving\.kserve\.io/);
      expect(crds).toMatch(/gateways\.gateway\.networking\.k8s\.io/);
    });
  }
});

describe('the GitOps output on a fresh control plane', () => {
  const live = withControlPlane();

  test('applies phase by phase in sync-wave order with kubectl apply --server-side -k', async () => {
    const gitops = path.join(distOf('guide'), 'gitops');
    const phases = fs.readdirSync(gitops).filter(d => /^\d{4}-/.test(d)).sort();
    const log: string[] = [];
    for (const phase of phases) {
      // As Argo CD does for a wave, try the phase's sync until it succeeds (CRDs of its own to be established, the
      // webhooks of an earlier wave to be served), bounded.
      let r = await live().kubectl(['apply', '--server-side', '--field-manager=argocd-controller', '-k', path.join(gitops, phase)]);
      for (let i = 0; r.code !== 0 && i < 60; i++) {
        await new Promise(res => setTimeout(res, 1000));
        r = await live().kubectl(['apply', '--server-side', '--field-manager=argocd-controller', '-k', path.join(gitops, phase)]);
      }
      log.push(`${phase}: exit ${r.code}${r.code ? `\n${r.stderr}` : ''}`);
      expect(log.join('\n')).not.toMatch(/exit [1-9]/);
    }
    const wave = JSON.parse((await live().kubectl(['get', 'gateway', '-n', 'kserve', 'kserve-ingress-gateway', '-o', 'json'])).stdout).metadata.annotations['argocd.argoproj.io/sync-wave'];
    expect(wave).toBe(String(phases.findIndex(p => p.endsWith('-ingress'))));
  });
});
