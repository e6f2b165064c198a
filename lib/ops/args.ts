import { parseArgs } from 'util';

/**
 * Parses `--name value`, `--name=value` and boolean `--flag` with Node's own `util.parseArgs` (strict: unknown
 * options and stray arguments are errors).
 */
export function parseFlags(argv: readonly string[], spec: { values: readonly string[]; flags: readonly string[] }): Record<string, string | boolean | undefined> {
  const options = Object.fromEntries([
    ...spec.values.map(name => [name, { type: 'string' as const }]),
    ...spec.flags.map(name => [name, { type: 'boolean' as const }]),
  ]);
  return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
}

/** A kubectl duration: `90s`, `5m`, `1h`, `1h30m`. */
export function isDuration(v: string): boolean {
  return /^(\d+(h|m|s))+$/.test(v);
}
