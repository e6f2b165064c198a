/**
 * The stack's profiles as the control-plane tests synthesize them: each profile's flags (images pinned to a
 * placeholder digest: no container runs here) and its dist/, made once per process with the project's own
 * `npm run synth`.
 *
 * Dev and test tooling: the library never imports this file.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO } from './control-plane';

const DIGEST = `sha256:${'a'.repeat(64)}`;
/** The synth flags of each profile (images pinned to a placeholder digest: no container runs here). */
export const PROFILE_FLAGS: Record<string, string[]> = {
  guide: [],
  hardened: ['--profile', 'hardened', '--model-image-digest', DIGEST],
  tenants: ['--profile', 'tenants', '--model-image-digest', DIGEST, '--ratelimit-image-digest', DIGEST, '--redis-image-digest', DIGEST,
    '--keys-file', path.join(REPO, 'examples', 'tenants', 'api-keys.json')],
  // The guide's current version: an LLMInferenceService metered through an AI backend, and routed straight to its pool.
  llmisvc: ['--profile', 'llmisvc'],
  'llmisvc-pool': ['--profile', 'llmisvc', '--llm-routing', 'Pool'],
};

const synthesized: Record<string, string> = {};
/** The dist/ of a profile, synthesized once per run with the project's own `npm run synth`. */
export function distOf(profile: string): string {
  if (synthesized[profile]) return synthesized[profile];
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), `kcp-dist-${profile}-`));
  const r = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'run.js'), 'main', ...PROFILE_FLAGS[profile], '--dist', dist], { cwd: REPO, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`synth of the ${profile} profile failed:\n${r.stdout}${r.stderr}`);
  return (synthesized[profile] = dist);
}


/** Removes every dist/ this process synthesized. */
export function removeSynthesized(): void {
  for (const [profile, dist] of Object.entries(synthesized)) {
    fs.rmSync(dist, { recursive: true, force: true });
    delete synthesized[profile];
  }
}
