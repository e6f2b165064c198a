/**
 * The tenants profile's additions: two tiers, the tenants and keys of a keys file, and the rate-limit service, as
 * a function of the user's stack props (every model, gateway and platform choice is kept). Each model's own budget
 * is folded into its tenant policy as the route-wide local limit.
 */
import * as path from 'path';
import { KeysFile, readKeysFile, tenantsFromKeysFile } from '../app/api-keys-file';
import { TierSpec, TierUnit } from '../app/tenants';
import type { LlmServingStackProps } from '../stack';

/** The example tiers: what a platform team might offer internal teams to start with. */
export const EXAMPLE_TIERS: readonly TierSpec[] = [
  { name: 'standard', tokens: 2000, unit: TierUnit.MINUTES },
  { name: 'premium', tokens: 20000, unit: TierUnit.MINUTES },
];

/** The example keys file (three keys of three tenants on the two tiers; the keys themselves were discarded). */
export const EXAMPLE_KEYS_FILE = path.join(__dirname, '..', '..', 'examples', 'tenants', 'api-keys.json');

/** Options for {@link tenantsPreset}. */
export interface TenantsPresetOptions {
  /**
   * The tenants and key hashes (`npm run keys`).
   * @default - the example keys file
   */
  readonly keys?: KeysFile;
  /**
   * The tiers.
   * @default EXAMPLE_TIERS
   */
  readonly tiers?: readonly TierSpec[];
}

/** `props` with tenants, tiers and keys, and the rate-limit service among the platform components. */
export function tenantsPreset(props: LlmServingStackProps, options: TenantsPresetOptions = {}): LlmServingStackProps {
  const keys = options.keys ?? readKeysFile(EXAMPLE_KEYS_FILE);
  return {
    ...props,
    tenants: { ...props.tenants, tiers: options.tiers ?? EXAMPLE_TIERS, ...tenantsFromKeysFile(keys) },
    platform: { ...props.platform, rateLimitService: props.platform?.rateLimitService || {} },
  };
}
