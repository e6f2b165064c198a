/**
 * What the app (`main.ts`) synthesizes: a profile applied to the guide, in one typed value that `npm run synth`,
 * `cdk8s synth` and the other tools all read, so they write the same dist/.
 */
import { guidePreset } from './presets/guide';
import { hardenedProfile } from './presets/hardened';
import { readKeysFile } from './app/api-keys-file';
import { EXAMPLE_KEYS_FILE, tenantsPreset } from './presets/tenants';
import type { LlmServingStackProps } from './stack';

/** The profiles the app knows. */
export const PROFILES = ['guide', 'hardened', 'tenants'] as const;
/** A profile name. */
export type ProfileName = typeof PROFILES[number];

/** The app's configuration. */
export interface AppConfig {
  /**
   * `guide`: the guide's objects exactly. `hardened`: the guide's model, hardened (cluster-local, digest-pinned,
   * restricted, behind a NetworkPolicy; README: threat model).
   * @default 'guide'
   */
  readonly profile?: ProfileName;
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
   * The keys file of the tenants profile (tenants, tiers of tenants, key hashes; `npm run keys`).
   * @default - examples/tenants/api-keys.json
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
        { keys: readKeysFile(config.keysFile ?? EXAMPLE_KEYS_FILE) }),
      { modelImageDigest: config.modelImageDigest, rateLimitImageDigest: config.rateLimitImageDigest, redisImageDigest: config.redisImageDigest });
    default:
      throw new Error(`profile must be one of ${PROFILES.join(', ')}, got ${JSON.stringify(profile)}`);
  }
}
