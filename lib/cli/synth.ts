/**
 * `npm run synth`: synthesizes the app into a fresh temporary directory beside dist/, and only when that
 * succeeds replaces dist/ with it (two renames). A failing synth leaves the previous dist/ untouched.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildApp } from '../../main';
import { synthesizeApp } from '../synthesizer';

/** Options for {@link synthToDir}. */
export interface SynthOptions {
  /** The output directory to replace. */
  readonly outdir: string;
  /** Builds the app to write (the real one by default). */
  readonly build?: typeof buildApp;
}

/** Synthesizes into a temporary sibling of `outdir`, then swaps it in. Returns the files written. */
export function synthToDir(options: SynthOptions): string[] {
  const outdir = path.resolve(options.outdir);
  const parent = path.dirname(outdir);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(outdir)}-staging-`));
  try {
    const files = synthesizeApp((options.build ?? buildApp)(), staging);
    const old = `${staging}-old`;
    const hadOld = fs.existsSync(outdir);
    if (hadOld) fs.renameSync(outdir, old);
    fs.renameSync(staging, outdir);
    if (hadOld) fs.rmSync(old, { recursive: true, force: true });
    return files.map(f => path.join(outdir, path.basename(f)));
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

if (require.main === module) {
  const started = process.hrtime.bigint();
  try {
    const files = synthToDir({ outdir: process.env.CDK8S_OUTDIR ?? path.join(__dirname, '..', '..', 'dist') });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(`${files.map(f => `  ${path.relative(process.cwd(), f)}`).join('\n')}\nsynthesized ${files.length} files in ${ms.toFixed(0)} ms\n`);
  } catch (err: any) {
    process.stderr.write(`synth failed; dist/ was left as it was.\n${err.message}\n`);
    process.exit(1);
  }
}
