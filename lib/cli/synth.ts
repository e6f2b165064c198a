/**
 * `npm run synth` (and `cdk8s synth`, which runs the same `main.ts`): builds the app from its configuration,
 * synthesizes it into a fresh staging directory, validates it, and only then swaps it in as dist/ atomically (see
 * `lib/ops/output-dir.ts`). A failing synth leaves the previous dist/ untouched.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { AppConfig, PROFILES, ProfileName, stackPropsFor } from '../app-config';
import { LlmRouting } from '../app/metered-llm';
import { CommandDoc, helpText, parseCommand, wantsHelp } from './command';
import { OutputDirError, replaceOutputDir } from '../ops/output-dir';
import { LlmServingStack, LlmServingStackProps } from '../stack';
import { synthesizeApp } from '../synthesizer';
import { UpstreamResolver } from '../upstream/resolver';
import { formatFinding } from '../validate/findings';
import { Validator } from '../validate/validator';
import { distDir } from './dist-dir';

/** Options for {@link synthToDir}. */
export interface SynthOptions {
  /** The output directory to replace. */
  readonly outdir: string;
  /** Builds the app to write. */
  readonly build: () => App;
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
  const onWait = (h: { pid: number; since: string }) => process.stderr.write(`synth: waiting for the synth of pid ${h.pid} (since ${h.since}) to finish with ${outdir}\n`);
  return replaceOutputDir(outdir, staging => {
    const files = synthesizeApp(options.build(), staging);
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

/** An app holding one stack with these props. */
export function stackApp(props: LlmServingStackProps): App {
  const app = new App();
  new LlmServingStack(app, 'Stack', props);
  return app;
}

/** Makes every pinned artifact available (one error listing all that are missing), then synthesizes. */
export async function runSynth(outdir: string, props: LlmServingStackProps, resolver = props.resolver ?? UpstreamResolver.default(),
  build: (p: LlmServingStackProps) => App = stackApp): Promise<string[]> {
  await resolver.ensure(LlmServingStack.requiredArtifacts(props));
  return synthToDir({ outdir, build: () => build({ ...props, resolver }), validator: new Validator({ resolver }) });
}

const USAGE = 'usage: npm run synth -- [--profile guide|hardened|tenants|llmisvc] [--model-image-digest sha256:...] [--dist DIR]   (--help for more)\n' +
  '       tenants: [--keys-file PATH] [--ratelimit-image-digest sha256:...] [--redis-image-digest sha256:...]\n' +
  '       llmisvc: [--llm-routing Metered|Pool]\n' +
  '       (cdk8s synth reads the same settings from CONFIG in main.ts, or $STACK_PROFILE and $MODEL_IMAGE_DIGEST)\n';

/** `npm run synth`'s description: its --help and its flags. */
export const SYNTH: CommandDoc = {
  command: 'npm run synth --',
  summary: 'Synthesizes the stack of main.ts (its CONFIG, with these flags and variables applied) into a staging directory,\n' +
    'validates it, and only then swaps it in as dist/; a failing synth leaves the previous dist/ as it was. `cdk8s synth` runs the same.',
  flags: [
    { name: 'profile', value: 'NAME', description: `what to synthesize: ${PROFILES.join(', ')}`, default: "CONFIG.profile in main.ts, else guide ($STACK_PROFILE)" },
    { name: 'model-image-digest', value: 'sha256:HEX', description: "the model image's digest; required by hardened and tenants", default: '$MODEL_IMAGE_DIGEST' },
    { name: 'llm-routing', value: 'Metered|Pool', description: 'llmisvc: through an AI backend with the budget, or straight to the InferencePool', default: '$LLM_ROUTING, else Metered' },
    { name: 'dist', value: 'DIR', description: 'the output directory', default: '$CDK8S_OUTDIR, else dist' },
    { name: 'keys-file', value: 'PATH', description: "tenants: the API keys file (npm run keys writes it)", default: '$KEYS_FILE, else config/api-keys.json' },
    { name: 'ratelimit-image-digest', value: 'sha256:HEX', description: "tenants: envoyproxy/ratelimit's image digest", default: '$RATELIMIT_IMAGE_DIGEST' },
    { name: 'redis-image-digest', value: 'sha256:HEX', description: "tenants: Redis's image digest", default: '$REDIS_IMAGE_DIGEST' },
    { name: 'cdk8s-cli', description: 'set by cdk8s.yaml when `cdk8s synth` runs the app (copies the output to its $CDK8S_OUTDIR)' },
  ],
  env: [
    ['STACK_PROFILE, MODEL_IMAGE_DIGEST, KEYS_FILE', 'defaults of the flags above'],
    ['RATELIMIT_IMAGE_DIGEST, REDIS_IMAGE_DIGEST, LLM_ROUTING', 'defaults of the flags above'],
    ['CDK8S_OUTDIR', 'the output directory (default: dist)'],
    ['UPSTREAM_MIRROR, UPSTREAM_CACHE, UPSTREAM_OFFLINE', 'where the pinned upstream files are read from (see README)'],
  ],
  exit: ['0  dist/ written', '1  synthesis or validation failed; dist/ was left as it was', '2  bad arguments, or main.ts does not compile'],
  examples: ['npm run synth', 'npm run synth -- --profile hardened --model-image-digest sha256:<digest>', 'npm run synth -- --profile llmisvc --llm-routing Pool', 'npm run synth -- --dist out/'],
};

/** Parses `npm run synth`'s command line. */
function parseSynthFlags(argv: readonly string[]) {
  return parseCommand(SYNTH, argv).flags;
}

/** The app's configuration with the command line's and the environment's choices applied. */
export function configFromArgs(config: AppConfig, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): AppConfig {
  const args = parseSynthFlags(argv);
  const profile = args.profile ?? env.STACK_PROFILE ?? config.profile ?? 'guide';
  if (!(PROFILES as readonly unknown[]).includes(profile)) {
    throw new Error(`--profile must be one of ${PROFILES.join(', ')}, got ${JSON.stringify(profile)}`);
  }
  const digest = args['model-image-digest'] ?? env.MODEL_IMAGE_DIGEST ?? config.modelImageDigest;
  const tenants = {
    keysFile: args['keys-file'] ?? env.KEYS_FILE ?? config.keysFile,
    rateLimitImageDigest: args['ratelimit-image-digest'] ?? env.RATELIMIT_IMAGE_DIGEST ?? config.rateLimitImageDigest,
    redisImageDigest: args['redis-image-digest'] ?? env.REDIS_IMAGE_DIGEST ?? config.redisImageDigest,
  };
  const set = Object.fromEntries(Object.entries(tenants).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
  const routing = args['llm-routing'] ?? env.LLM_ROUTING ?? config.llmRouting;
  if (routing !== undefined && !(Object.values(LlmRouting) as unknown[]).includes(routing)) {
    throw new Error(`--llm-routing must be one of ${Object.values(LlmRouting).join(', ')}, got ${JSON.stringify(routing)}`);
  }
  return { ...config, profile: profile as ProfileName, ...(digest ? { modelImageDigest: String(digest) } : {}), ...set, ...(routing ? { llmRouting: routing as LlmRouting } : {}) };
}

/**
 * The app's entry point (`main.ts`): reads the configuration, the command line and the environment, synthesizes
 * into dist/ and prints what it wrote. Exit 0 on success, 1 when synthesis fails, 2 for bad arguments.
 */
export async function runSynthCli(config: AppConfig, build: (props: LlmServingStackProps) => App = stackApp,
  argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const started = process.hrtime.bigint();
  let props: LlmServingStackProps;
  // Under `cdk8s synth` (cdk8s.yaml passes --cdk8s-cli), $CDK8S_OUTDIR is a scratch directory that cdk8s-cli empties
  // before it runs the app: dist/ is replaced only by a complete, valid synth, and then copied there for cdk8s-cli
  // to list.
  let outdir: string;
  let underCdk8sCli: boolean;
  if (wantsHelp(argv)) {
    process.stdout.write(helpText(SYNTH));
    return 0;
  }
  try {
    const args = parseSynthFlags(argv);
    underCdk8sCli = args['cdk8s-cli'] === true;
    outdir = distDir(underCdk8sCli ? { ...env, CDK8S_OUTDIR: undefined } : env, args.dist);
    props = stackPropsFor(configFromArgs(config, argv, env));
  } catch (err: any) {
    process.stderr.write(`synth: ${err.message}\n${USAGE}`);
    return 2;
  }
  try {
    const files = await runSynth(outdir, props, undefined, build);
    if (underCdk8sCli && env.CDK8S_OUTDIR && path.resolve(env.CDK8S_OUTDIR) !== outdir) {
      fs.cpSync(outdir, path.resolve(env.CDK8S_OUTDIR), { recursive: true, dereference: true }); // dist is a link to its version
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(`${files.map(f => `  ${path.relative(process.cwd(), f)}`).join('\n')}\nsynthesized ${files.length} files in ${ms.toFixed(0)} ms\n`);
    return 0;
  } catch (err: any) {
    // An OutputDirError says itself what state dist/ was left in; any other failure came before the swap.
    process.stderr.write(err instanceof OutputDirError ? `synth failed: ${err.message}\n` : `synth failed; dist/ was left as it was.\n${err.message}\n`);
    return 1;
  }
}
