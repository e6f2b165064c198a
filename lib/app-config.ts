/**
 * What the app (`main.ts`) synthesizes: a profile applied to the guide, in one typed value that `npm run synth`,
 * `cdk8s synth` and the other tools all read, so they write the same dist/.
 */
import { guidePreset } from './presets/guide';
import { hardenedProfile } from './presets/hardened';
import type { LlmServingStackProps } from './stack';

/** The profiles the app knows. */
export const PROFILES = ['guide', 'hardened'] as const;
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
    default:
      throw new Error(`profile must be one of ${PROFILES.join(', ')}, got ${JSON.stringify(profile)}`);
  }
}
