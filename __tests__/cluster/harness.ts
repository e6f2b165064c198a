// Shared by the control-plane tests: a fresh real control plane per describe block, kubectl against it, and the
// stack's dist/ for each profile. Everything started is stopped in afterAll, also when a test fails.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Kubectl, KubectlResult } from '../../lib/ops/kubectl';
import { ControlPlaneState, REPO, startControlPlane, stopControlPlane } from '../../test/cluster/control-plane';

export interface Live {
  state: ControlPlaneState;
  env: NodeJS.ProcessEnv;
  kubectl: (args: string[], input?: string) => Promise<KubectlResult>;
}

/** Starts a control plane before the block's tests and stops it after them; `live()` gives it to a test. */
export function withControlPlane(): () => Live {
  let live: Live | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcp-'));
    const state = await startControlPlane({ dir, timeoutMs: 120_000 });
    const env = { KUBECONFIG: state.kubeconfig };
    const k = new Kubectl({ env });
    live = { state, env, kubectl: (args, input) => k.run(args, input, 120_000) };
  }, 180_000);
  afterAll(() => {
    if (dir) stopControlPlane(dir, { keep: process.env.KCP_KEEP === '1' });
  });
  return () => {
    if (!live) throw new Error('the control plane did not start (see beforeAll)');
    return live;
  };
}

const DIGEST = `sha256:${'a'.repeat(64)}`;
/** The synth flags of each profile (images pinned to a placeholder digest: no container runs here). */
export const PROFILE_FLAGS: Record<string, string[]> = {
  guide: [],
  hardened: ['--profile', 'hardened', '--model-image-digest', DIGEST],
  tenants: ['--profile', 'tenants', '--model-image-digest', DIGEST, '--ratelimit-image-digest', DIGEST, '--redis-image-digest', DIGEST,
    '--keys-file', path.join(REPO, 'examples', 'tenants', 'api-keys.json')],
};

const synthesized: Record<string, string> = {};
/** The dist/ of a profile, synthesized once per run with the project's own `npm run synth`. */
export function distOf(profile: keyof typeof PROFILE_FLAGS): string {
  if (synthesized[profile]) return synthesized[profile];
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), `kcp-dist-${profile}-`));
  const r = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'run.js'), 'main', ...PROFILE_FLAGS[profile], '--dist', dist], { cwd: REPO, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`synth of the ${profile} profile failed:\n${r.stdout}${r.stderr}`);
  return (synthesized[profile] = dist);
}

/** Prints a step's output only when the test fails, through the assertion message. */
export const shown = (out: string) => `\n--- output ---\n${out}`;
