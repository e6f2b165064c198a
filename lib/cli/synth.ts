/**
 * `npm run synth`: synthesizes the app into a fresh staging directory, and only when that succeeds swaps it in as
 * dist/ atomically (see `lib/ops/output-dir.ts`). A failing synth leaves the previous dist/ untouched.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { buildApp, STACK_PROPS } from '../../main';
import { parseFlags } from '../ops/args';
import { OutputDirError, replaceOutputDir } from '../ops/output-dir';
import { hardenedProfile, PROFILES } from '../profiles';
import { LlmServingStack, LlmServingStackProps } from '../stack';
import { synthesizeApp } from '../synthesizer';
import { UpstreamResolver } from '../upstream/resolver';
import { formatFinding } from '../validate/findings';
import { Validator } from '../validate/validator';

/** Options for {@link synthToDir}. */
export interface SynthOptions {
  /** The output directory to replace. */
  readonly outdir: string;
  /** Builds the app to write (the real one by default). */
  readonly build?: () => App;
  /**
   * Validates the new output (as `npm run validate` does) before it replaces `outdir`; errors refuse it.
   * @default - a validator reading the pinned CRDs through the default resolver
   */
  readonly validator?: Validator | false;
}

/** Output that failed validation; it was not written to dist/. */
export class InvalidOutputError extends Error {
  constructor(public readonly findings: string[]) {
    super(`the synthesized output is not valid, so dist/ was not replaced:\n${findings.map(f => `  ${f}`).join('\n')}`);
    this.name = 'InvalidOutputError';
  }
}

/** Synthesizes into a staging sibling of `outdir`, then swaps it in. Returns the files written. */
export function synthToDir(options: SynthOptions): string[] {
  const outdir = path.resolve(options.outdir);
  fs.mkdirSync(path.dirname(outdir), { recursive: true });
  const onWait = (h: { pid: number; since: string }) => process.stderr.write(`synth: waiting for the synth of pid ${h.pid} (since ${h.since}) to finish with ${outdir}\n`);
  return replaceOutputDir(outdir, staging => {
    const files = synthesizeApp((options.build ?? (() => buildApp()))(), staging);
    if (options.validator !== false) {
      const result = (options.validator ?? new Validator()).validatePaths([staging]);
      const errors = result.findings.filter(f => f.severity === 'error');
      if (errors.length > 0) {
        throw new InvalidOutputError(errors.map(f => formatFinding({ ...f, file: path.join(path.basename(outdir), path.relative(staging, f.file)) })));
      }
    }
    return files.map(f => path.join(outdir, path.basename(f)));
  }, { onWait });
}

/** The CLI: makes every pinned artifact available (one error listing all that are missing), then synthesizes. */
export async function runSynth(outdir: string, resolver = UpstreamResolver.default(), props: LlmServingStackProps = STACK_PROPS): Promise<string[]> {
  await resolver.ensure(LlmServingStack.requiredArtifacts(props));
  return synthToDir({ outdir, build: () => buildApp({ ...props, resolver }), validator: new Validator({ resolver }) });
}

/** Stack props for `--profile NAME` (and, for hardened, `--model-image-digest` or $MODEL_IMAGE_DIGEST). */
export function profileProps(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): LlmServingStackProps {
  const args = parseFlags(argv, { values: ['profile', 'model-image-digest'], flags: [] });
  const profile = String(args.profile ?? 'guide');
  if (profile === 'guide') return STACK_PROPS;
  if (profile !== 'hardened') throw new Error(`--profile must be one of ${PROFILES.join(', ')}, got ${JSON.stringify(profile)}`);
  const digest = String(args['model-image-digest'] ?? env.MODEL_IMAGE_DIGEST ?? '');
  if (!digest) {
    throw new Error('the hardened profile pins the model image by digest, and httpbun publishes only mutable tags: pass ' +
      '--model-image-digest sha256:<64 hex> (or set MODEL_IMAGE_DIGEST) with the digest of the image you reviewed, e.g. from ' +
      '`crane digest sharat87/httpbun:latest`');
  }
  return { ...STACK_PROPS, ...hardenedProfile({ modelImageDigest: digest }) };
}

if (require.main === module) {
  const started = process.hrtime.bigint();
  let props: LlmServingStackProps;
  try {
    props = profileProps(process.argv.slice(2));
  } catch (err: any) {
    process.stderr.write(`synth: ${err.message}\nusage: npm run synth -- [--profile guide|hardened] [--model-image-digest sha256:...]\n`);
    process.exit(2);
  }
  runSynth(process.env.CDK8S_OUTDIR ?? path.join(__dirname, '..', '..', 'dist'), UpstreamResolver.default(), props).then(files => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(`${files.map(f => `  ${path.relative(process.cwd(), f)}`).join('\n')}\nsynthesized ${files.length} files in ${ms.toFixed(0)} ms\n`);
  }, (err: Error) => {
    // An OutputDirError says itself what state dist/ was left in; any other failure came before the swap.
    process.stderr.write(err instanceof OutputDirError ? `synth failed: ${err.message}\n` : `synth failed; dist/ was left as it was.\n${err.message}\n`);
    process.exit(1);
  });
}
