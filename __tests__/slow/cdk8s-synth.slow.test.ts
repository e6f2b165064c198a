// `cdk8s synth` (cdk8s-cli runs main.ts, as cdk8s.yaml says) writes the same dist/ as `npm run synth`, and a failing
// app leaves the previous dist/ as it was, although cdk8s-cli empties its own output directory first.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TEST_DIST } from '../global-setup';

const ROOT = path.join(__dirname, '..', '..');
const CDK8S = path.join(ROOT, 'node_modules', '.bin', 'cdk8s');

function tree(dir: string): Record<string, string> {
  return Object.fromEntries((fs.readdirSync(dir, { recursive: true }) as string[]).sort()
    .filter(f => fs.statSync(path.join(dir, f)).isFile()).map(f => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

function cdk8sSynth(dist: string, env: NodeJS.ProcessEnv = {}) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-out-'));
  return spawnSync(CDK8S, ['synth', '--app', `node scripts/run.js main --cdk8s-cli --dist ${dist}`, '--output', scratch], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', ...env },
  });
}

describe('cdk8s synth', () => {
  const dist = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-synth-')), 'dist');

  test('writes what npm run synth writes', () => {
    expect(cdk8sSynth(dist).status).toBe(0);
    expect(tree(dist)).toEqual(tree(TEST_DIST));
  });

  test('keeps a good dist/ when the app fails', () => {
    const before = tree(dist);
    const run = cdk8sSynth(dist, { STACK_PROFILE: 'hardened', MODEL_IMAGE_DIGEST: '' });
    expect(run.status).not.toBe(0);
    expect(run.stderr + run.stdout).toMatch(/image must be pinned by digest/);
    expect(tree(dist)).toEqual(before);
  });
});

