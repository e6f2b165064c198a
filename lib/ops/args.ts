/** A tiny flag parser for our CLIs: `--name value`, `--name=value` and boolean `--flag`; unknown flags are errors. */
export function parseArgs(argv: readonly string[], spec: { values: readonly string[]; flags: readonly string[] }): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unexpected argument ${JSON.stringify(a)}`);
    const [, name, inline] = m;
    if (spec.flags.includes(name) && inline === undefined) {
      out[name] = true;
    } else if (spec.values.includes(name)) {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value`);
      out[name] = v;
    } else {
      throw new Error(`unknown option --${name}`);
    }
  }
  return out;
}

/** A kubectl duration: `90s`, `5m`, `1h`, `1h30m`. */
export function isDuration(v: string): boolean {
  return /^(\d+(h|m|s))+$/.test(v);
}
