/**
 * What every command of this project shares: one description per command from which both its `--help` and its flag
 * parser are derived (so they cannot drift), and an entry point that never ends in a stack trace — a closed output
 * pipe (`| head`) ends the command quietly, and an unexpected error is one line (`DEBUG=1` adds the stack).
 */
import { parseCommandLine } from '../ops/args';

/** One flag of a command. */
export interface FlagDoc {
  /** The flag without dashes: `timeout`. */
  readonly name: string;
  /** The value's placeholder (`DURATION`); absent for a boolean flag. */
  readonly value?: string;
  /** What it does, in one line. */
  readonly description: string;
  /** Its default, as the user would write it; absent when it has none. */
  readonly default?: string;
  /** May be given more than once (its values are a list). @default false */
  readonly multiple?: boolean;
}

/** A command, as its `--help` describes it. */
export interface CommandDoc {
  /** How it is run: `npm run deploy --`. */
  readonly command: string;
  /** What it does, in a sentence or two. */
  readonly summary: string;
  /** Arguments besides the flags, for the usage line: `[PATH...]`. @default - none */
  readonly args?: string;
  readonly flags: readonly FlagDoc[];
  /** Environment variables it reads, with what each does. @default - none */
  readonly env?: readonly (readonly [string, string])[];
  /** Exit codes and their meaning. */
  readonly exit: readonly string[];
  /** At least one example command line. */
  readonly examples: readonly string[];
}

const HELP: FlagDoc = { name: 'help', description: 'show this help and exit' };

/** The flags `parseCommandLine` takes for a command (with `--help`). */
export function flagSpec(doc: CommandDoc): { values: string[]; flags: string[]; multiples: string[] } {
  const all = [...doc.flags, HELP];
  return {
    values: all.filter(f => f.value !== undefined).map(f => f.name),
    flags: all.filter(f => f.value === undefined).map(f => f.name),
    multiples: all.filter(f => f.multiple).map(f => f.name),
  };
}

/** Parses a command line by its description: the flags, and whether help was asked for. */
export function parseCommand(doc: CommandDoc, argv: readonly string[], positionals = doc.args !== undefined) {
  const parsed = parseCommandLine(argv, { ...flagSpec(doc), positionals });
  return { flags: parsed.flags as Record<string, string | boolean | undefined>, lists: parsed.flags as Record<string, string[] | undefined>, positionals: parsed.positionals, help: parsed.flags.help === true };
}

/** `--help` or `-h` before any `--`: the one check a command makes before parsing anything else. */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some(a => a === '--help' || a === '-h');
}

/** The `--help` text of a command. */
export function helpText(doc: CommandDoc): string {
  const flags = [...doc.flags, HELP];
  const usage = `${doc.command}${doc.flags.length ? ' [flags]' : ''}${doc.args ? ` ${doc.args}` : ''}`;
  const left = (f: FlagDoc) => `--${f.name}${f.value ? ` ${f.value}` : ''}${f.multiple ? ' ...' : ''}${f.name === 'help' ? ', -h' : ''}`;
  const width = Math.max(...flags.map(f => left(f).length));
  const lines = [
    doc.summary, '',
    `Usage: ${usage}`, '',
    'Flags:',
    ...flags.map(f => `  ${left(f).padEnd(width)}  ${f.description}${f.default !== undefined ? ` (default: ${f.default})` : ''}`),
  ];
  if (doc.env?.length) {
    const w = Math.max(...doc.env.map(([n]) => n.length));
    lines.push('', 'Environment:', ...doc.env.map(([n, d]) => `  ${n.padEnd(w)}  ${d}`));
  }
  lines.push('', 'Exit codes:', ...doc.exit.map(e => `  ${e}`), '', `Example${doc.examples.length > 1 ? 's' : ''}:`, ...doc.examples.map(e => `  ${e}`));
  return `${lines.join('\n')}\n`;
}

let guarded = false;

/** Ends the process quietly when its output pipe is closed (`npm run validate | head`): nobody is left to read. */
export function exitQuietlyOnClosedPipe(): void {
  if (guarded) return;
  guarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      throw e;
    });
  }
}

/** One line for an error nobody expected: its message, and the stack only when `DEBUG` is set. */
export function internalError(name: string, e: unknown): string {
  const err = e as { message?: string; stack?: string } | undefined;
  const message = err?.message ?? String(e);
  return `${name}: internal error: ${message}${process.env.DEBUG ? `\n${err?.stack ?? ''}` : ' (run with DEBUG=1 for the stack)'}\n`;
}

/**
 * The entry point of a command whose work is one async function: `--help` prints its help (exit 0), a bad flag is
 * exit 2 with the message, a failure of the work is `<name> failed: <message>` and exit 1.
 */
export function runDocumentedMain(name: string, doc: CommandDoc, work: (flags: Record<string, string | boolean | undefined>) => Promise<void>): void {
  runMain(name, async () => {
    const argv = process.argv.slice(2);
    if (wantsHelp(argv)) {
      process.stdout.write(helpText(doc));
      return 0;
    }
    let flags: Record<string, string | boolean | undefined>;
    try {
      flags = parseCommand(doc, argv).flags;
    } catch (e: any) {
      process.stderr.write(`${name}: ${e.message}\n(--help for more)\n`);
      return 2;
    }
    try {
      await work(flags);
      return 0;
    } catch (e: any) {
      process.stderr.write(`${name} failed: ${e?.message ?? e}\n`);
      return 1;
    }
  });
}

/**
 * Runs a command's main function as the process's entry point: its result is the exit code; a closed output pipe
 * ends it quietly; an error it did not expect is one line on stderr and exit code 1.
 */
export function runMain(name: string, main: () => number | Promise<number>): void {
  exitQuietlyOnClosedPipe();
  process.on('uncaughtException', e => {
    try {
      process.stderr.write(internalError(name, e));
    } finally {
      process.exit(1);
    }
  });
  Promise.resolve()
    .then(main)
    .then(code => { process.exitCode = code; }, e => {
      process.stderr.write(internalError(name, e));
      process.exitCode = 1;
    });
}
