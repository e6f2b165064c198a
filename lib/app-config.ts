/**
 * What the app (`main.ts`) synthesizes: a profile applied to the guide, in one typed value that `npm run synth`,
 * `cdk8s synth` and the other tools all read, so they write the same dist/.
 */
import { guidePreset } from './presets/guide';
import { hardenedProfile } from './presets/hardened';
import * as path from 'path';
import { DEFAULT_KEYS_FILE, KeysFile, KeysFileMissingError, readKeysFile } from './app/api-keys-file';
import { tenantsPreset } from './presets/tenants';
import { llmisvcPreset } from './presets/llmisvc';
import { LlmRouting } from './app/metered-llm';
import type { LlmServingStackProps } from './stack';

/**
 * The example keys file, in the app's checkout (three keys of three tenants; the keys were discarded): the tenants
 * profile reads it when told to (`--keys-file examples/tenants/api-keys.json`).
 */
export const EXAMPLE_KEYS_FILE = 'examples/tenants/api-keys.json';

/** The profiles the app knows. */
export const PROFILES = ['guide', 'hardened', 'tenants', 'llmisvc'] as const;
/** A profile name. */
export type ProfileName = typeof PROFILES[number];

/** The app's configuration. */
export interface AppConfig {
  /**
   * `guide`: the guide's objects exactly. `hardened`: the guide's model, hardened (cluster-local, digest-pinned,
   * restricted, behind a NetworkPolicy; README: threat model). `tenants`: hardened, with tiers, tenants and API keys.
   * `llmisvc`: the guide's current version (an LLMInferenceService behind its InferencePool, metered through an AI backend).
   * @default 'guide'
   */
  readonly profile?: ProfileName;
  /**
   * How the llmisvc profile's model is reached: `Metered` (through an AI backend, with the guide's 10-token budget) or
   * `Pool` (straight to the InferencePool, no budget). `npm run synth` takes it from `--llm-routing` or `$LLM_ROUTING`.
   * @default LlmRouting.METERED
   */
  readonly llmRouting?: LlmRouting;
  /**
   * Digest of the model image, which the hardened profile pins (httpbun publishes only mutable tags).
   * @default - none (the hardened profile then refuses to build)
   */
  readonly modelImageDigest?: string;
  /**
   * Add the guide's optional echo-headers policy.
   * @default false
   */
  readonly modelEchoHeaders?: boolean;
  /**
   * The keys file of the tenants profile (tenants, tiers of tenants, key hashes), relative to the working directory.
   * It must exist. `npm run synth` takes it from `--keys-file` or `$KEYS_FILE`, as `npm run keys` does.
   * @default 'config/api-keys.json' (the file `npm run keys -- add` writes)
   */
  readonly keysFile?: string;
  /** Digest of the envoyproxy/ratelimit image, which the tenants profile (hardened) pins. @default - none */
  readonly rateLimitImageDigest?: string;
  /** Digest of the Redis image, which the tenants profile (hardened) pins. @default - none */
  readonly redisImageDigest?: string;
}

/** The stack props a configuration stands for. */
export function stackPropsFor(config: AppConfig): LlmServingStackProps {
  const profile = config.profile ?? 'guide';
  switch (profile) {
    case 'guide':
      return guidePreset({ modelEchoHeaders: config.modelEchoHeaders });
    case 'hardened':
      return hardenedProfile(guidePreset({ modelEchoHeaders: config.modelEchoHeaders, unprivilegedPort: true }),
        { modelImageDigest: config.modelImageDigest });
    case 'tenants':
      // The hardened profile, plus tiers, tenants and keys and the rate-limit service (README: Tenants).
      return hardenedProfile(tenantsPreset(guidePreset({ modelEchoHeaders: config.modelEchoHeaders, unprivilegedPort: true }),
        { keys: tenantsKeys(config.keysFile) }),
      { modelImageDigest: config.modelImageDigest, rateLimitImageDigest: config.rateLimitImageDigest, redisImageDigest: config.redisImageDigest });
    case 'llmisvc':
      return llmisvcPreset({ routing: config.llmRouting });
    default:
      throw new Error(`profile must be one of ${PROFILES.join(', ')}, got ${JSON.stringify(profile)}`);
  }
}

/** The tenants profile's keys file; a missing one is an error that says how to make it. */
function tenantsKeys(keysFile: string | undefined): KeysFile {
  if (keysFile === '') throw new Error('the keys file must be a path (--keys-file, $KEYS_FILE or keysFile in CONFIG), got ""');
  const file = path.resolve(keysFile ?? DEFAULT_KEYS_FILE);
  try {
    return readKeysFile(file);
  } catch (e) {
    if (!(e instanceof KeysFileMissingError)) throw e;
    throw new Error(keysFile === undefined
      ? `the tenants profile reads its tenants and key hashes from ${DEFAULT_KEYS_FILE}, which does not exist in ${process.cwd()}: ` +
        'issue a key first (`npm run keys -- add --tenant team-a --tier standard` creates it), ' +
        `or pass --keys-file ${EXAMPLE_KEYS_FILE} for the example's three tenants`
      : `keys file ${file} does not exist (named by --keys-file, $KEYS_FILE or keysFile in CONFIG): check the path, ` +
        `or create it with \`npm run keys -- add --file ${keysFile} --tenant NAME --tier TIER\``);
  }
}
