import { parseArgs } from 'util';

/**
 * Parses `--name value`, `--name=value` and boolean `--flag` with Node's own `util.parseArgs` (strict: unknown
 * options and stray arguments are errors).
 */
export function parseFlags(argv: readonly string[], spec: { values: readonly string[]; flags: readonly string[] }): Record<string, string | boolean | undefined> {
  return parseCommandLine(argv, spec).flags as Record<string, string | boolean | undefined>;
}

/** {@link parseFlags} for commands that also take arguments (paths, say): the flags and the arguments. */
export function parseCommandLine(argv: readonly string[], spec: { values: readonly string[]; flags: readonly string[]; multiples?: readonly string[]; positionals?: boolean }): {
  flags: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
} {
  const options = Object.fromEntries([
    ...spec.values.map(name => [name, { type: 'string' as const, multiple: spec.multiples?.includes(name) ?? false }]),
    ...spec.flags.map(name => [name, { type: 'boolean' as const }]),
  ]);
  const parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: spec.positionals ?? false });
  return { flags: parsed.values as Record<string, string | boolean | string[] | undefined>, positionals: parsed.positionals };
}

/** A kubectl duration: `90s`, `5m`, `1h`, `1h30m`. */
export function isDuration(v: string): boolean {
  return /^(\d+(h|m|s))+$/.test(v);
}

/** The longest timer Node supports (2^31-1 ms, about 24.8 days): a longer `setTimeout` fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A `--timeout`-like flag's milliseconds, or an error naming the flag, the value and what would do. */
export function parseDuration(flag: string, value: string): number {
  if (!isDuration(value)) throw new Error(`--${flag} must be a duration like 90s, 5m or 1h30m, got ${JSON.stringify(value)}`);
  const ms = [...value.matchAll(/(\d+)(h|m|s)/g)].reduce((sum, [, n, u]) => sum + Number(n) * { h: 3_600_000, m: 60_000, s: 1000 }[u as 'h' | 'm' | 's'], 0);
  if (ms === 0) throw new Error(`--${flag} must be longer than 0s, got ${JSON.stringify(value)}`);
  if (ms > MAX_TIMER_MS) throw new Error(`--${flag} must be at most 596h (about 24.8 days, the longest timer Node supports), got ${JSON.stringify(value)}`);
  return ms;
}
