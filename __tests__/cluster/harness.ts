// Shared by the control-plane tests: a fresh real control plane per describe block, kubectl against it, and the
// stack's dist/ for each profile. Everything started is stopped in afterAll, also when a test fails.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Kubectl, KubectlResult } from '../../lib/ops/kubectl';
import { ControlPlaneState, startControlPlane, stopControlPlane } from '../../test/cluster/control-plane';

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

export { distOf, PROFILE_FLAGS } from '../../test/cluster/profiles';

/** Prints a step's output only when the test fails, through the assertion message. */
export const shown = (out: string) => `\n--- output ---\n${out}`;
