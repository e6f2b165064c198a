import { parseArgs } from 'util';

/**
 * Parses `--name value`, `--name=value` and boolean `--flag` with Node's own `util.parseArgs` (strict: unknown
 * options and stray arguments are errors).
 */
export function parseFlags(argv: readonly string[], spec: { values: readonly string[]; flags: readonly string[] }): Record<string, string | boolean | undefined> {
  return parseCommandLine(argv, spec).flags;
}

/** {@link parseFlags} for commands that also take arguments (paths, say): the flags and the arguments. */
export function parseCommandLine(argv: readonly string[], spec: { values: readonly string[]; flags: readonly string[]; positionals?: boolean }): {
  flags: Record<string, string | boolean | undefined>;
  positionals: string[];
} {
  const options = Object.fromEntries([
    ...spec.values.map(name => [name, { type: 'string' as const }]),
    ...spec.flags.map(name => [name, { type: 'boolean' as const }]),
  ]);
  const parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: spec.positionals ?? false });
  return { flags: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
}

/** A kubectl duration: `90s`, `5m`, `1h`, `1h30m`. */
export function isDuration(v: string): boolean {
  return /^(\d+(h|m|s))+$/.test(v);
}
