import * as path from 'path';

/**
 * The one rule for where dist/ is, shared by every command: `--dist DIR` where a command takes it, else
 * `$CDK8S_OUTDIR` (what `cdk8s synth` sets), else `dist` in the working directory (npm runs scripts from the
 * project root, and `cdk8s synth` runs the app there).
 */
export function distDir(env: NodeJS.ProcessEnv = process.env, flag?: string | boolean): string {
  if (typeof flag === 'string' && flag.length > 0) return path.resolve(flag);
  return path.resolve(env.CDK8S_OUTDIR || 'dist');
}
