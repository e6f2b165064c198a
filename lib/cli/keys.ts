/**
 * `npm run keys -- add --tenant NAME [--tier T] | list | revoke (--id ID | --tenant NAME)  [--file PATH]`
 *
 * Issues and revokes tenants' API keys. A new key is printed once, on stdout alone (so `KEY=$(npm run -s keys --
 * add ...)` works); only its sha256 hash is recorded in the keys file (`--file`, `$KEYS_FILE`, or
 * `config/api-keys.json`), which the tenants profile reads at synth by the same rule. The plaintext key is never
 * written anywhere, and printed only once its hash is on disk. Every change happens under the file's lock
 * (`<file>.lock`) and replaces the file atomically, so concurrent adds and revokes all take effect.
 * Exit 0: done; 1: refused (unknown tenant, tier mismatch, nothing to revoke, the file locked by another command
 * for 30 s); 2: bad arguments, or a file that cannot be read or written (left as it was).
 */
import * as path from 'path';
import {
  DEFAULT_KEYS_FILE, issueKey, KeysFile, KeysFileKey, KeysFileMissingError, readKeysFile, updateKeysFile,
} from '../app/api-keys-file';
import { isTenantName, NAME_RULE } from '../app/tenants';
import { CommandDoc, helpText, parseCommand, runMain, wantsHelp } from './command';
import { EXAMPLE_TIERS } from '../presets/tenants';
import { FileError } from '../shared/durable-file';
import { describeHolder, FileLockOptions, LockTimeoutError } from '../shared/file-lock';

const USAGE = 'usage: npm run keys -- add --tenant NAME [--tier TIER] | list | revoke (--id ID | --tenant NAME)   [--file PATH]   (--help for more)';

const FILE_FLAG = { name: 'file', value: 'PATH', description: 'the keys file', default: `$KEYS_FILE, else ${DEFAULT_KEYS_FILE}` };
const KEYS_ENV = [['KEYS_FILE', `the keys file when --file is not given (default: ${DEFAULT_KEYS_FILE}); synth's tenants profile reads the same`]] as const;
const KEYS_EXIT = ['0  done', '1  refused: unknown tenant, tier mismatch, nothing to revoke, or the file locked by another command for 30 s',
  '2  bad arguments, or a keys file that cannot be read or written (left as it was)'];

/** Each subcommand's description: its --help and its flags. */
export const KEYS_COMMANDS: Record<'add' | 'list' | 'revoke', CommandDoc> = {
  add: {
    command: 'npm run keys -- add',
    summary: 'Issues an API key for a tenant: the key is printed once, on stdout alone; only its sha256 hash is recorded in\n' +
      'the keys file, under its lock. Synth and deploy to roll it out.',
    flags: [
      { name: 'tenant', value: 'NAME', description: 'the tenant (a DNS label); required' },
      { name: 'tier', value: 'TIER', description: `the tenant's tier, required for a new tenant (${EXAMPLE_TIERS.map(t => t.name).join(', ')})` },
      FILE_FLAG,
    ],
    env: KEYS_ENV, exit: KEYS_EXIT,
    examples: ['KEY=$(npm run -s keys -- add --tenant acme --tier standard)', 'npm run keys -- add --tenant acme'],
  },
  list: {
    command: 'npm run keys -- list',
    summary: 'Lists the keys in the keys file: id, tenant, tier, when issued, and the start of its hash (never a key).',
    flags: [FILE_FLAG], env: KEYS_ENV, exit: KEYS_EXIT,
    examples: ['npm run keys -- list'],
  },
  revoke: {
    command: 'npm run keys -- revoke',
    summary: 'Revokes one key by id, or every key of a tenant; the gateway refuses them once the new dist/ is applied.',
    flags: [
      { name: 'id', value: 'ID', description: 'the key to revoke (see list)' },
      { name: 'tenant', value: 'NAME', description: 'revoke every key of this tenant' },
      FILE_FLAG,
    ],
    env: KEYS_ENV, exit: KEYS_EXIT,
    examples: ['npm run keys -- revoke --id acme-3f9a2c1d', 'npm run keys -- revoke --tenant acme'],
  },
};

/** `npm run keys --help`: the subcommands, each with its own --help. */
export const KEYS_HELP = `Issues, lists and revokes tenants' API keys for the tenants profile. Only each key's sha256 hash is kept.

Usage: npm run keys -- add|list|revoke [flags]   (npm run keys -- add --help, and so on, for each)

Commands:
${(Object.keys(KEYS_COMMANDS) as (keyof typeof KEYS_COMMANDS)[]).map(c => `  ${c.padEnd(7)} ${KEYS_COMMANDS[c].summary.split('\n')[0]}`).join('\n')}

Exit codes:
${KEYS_EXIT.map(e => `  ${e}`).join('\n')}

Example:
  KEY=$(npm run -s keys -- add --tenant acme --tier standard) && npm run synth -- --profile tenants && npm run deploy
`;

/**
 * The default keys file: `$KEYS_FILE`, else `config/api-keys.json` in the working directory (the project root under
 * npm). The tenants profile of `npm run synth` reads the same file by the same rule.
 */
export function defaultKeysFile(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  return path.resolve(cwd, env.KEYS_FILE ?? DEFAULT_KEYS_FILE);
}

/** Where the CLI's output goes; `out` receives only a new plaintext key (and `list`'s table). */
export interface KeysIo {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  /** The clock for `created`. @default new Date() */
  readonly now?: () => Date;
  /** Working directory the default keys file is found from. @default process.cwd() */
  readonly cwd?: string;
  /** The tiers a tenant may be put on. @default the tenants profile's tiers (EXAMPLE_TIERS) */
  readonly tiers?: readonly string[];
  /** How the keys file's lock is waited for (timeout, clock). @default - 30 s */
  readonly lock?: FileLockOptions;
}

class Refused extends Error {}
class BadArguments extends Error {}

/** Runs the CLI; returns the exit code. */
export function runKeys(argv: readonly string[], io: KeysIo = { out: s => process.stdout.write(s), err: s => process.stderr.write(s) }, env: NodeJS.ProcessEnv = process.env): number {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h') {
      if (command === undefined) throw new BadArguments('a command is required');
      io.out(KEYS_HELP);
      return 0;
    }
    const doc = (KEYS_COMMANDS as Record<string, CommandDoc | undefined>)[command];
    if (!doc || !Object.prototype.hasOwnProperty.call(KEYS_COMMANDS, command)) throw new BadArguments(`unknown command ${JSON.stringify(command)}`);
    if (wantsHelp(rest)) {
      io.out(helpText(doc));
      return 0;
    }
    let flags: Record<string, string | boolean | undefined>;
    try {
      flags = parseCommand(doc, rest).flags;
    } catch (e: any) {
      throw new BadArguments(e.message);
    }
    if (flags.file === '') throw new BadArguments('--file must be a path');
    if (env.KEYS_FILE === '') throw new BadArguments('$KEYS_FILE is set but empty: unset it (for config/api-keys.json) or name a keys file');
    const named = flags.file !== undefined || !!env.KEYS_FILE;
    const file = flags.file !== undefined ? path.resolve(io.cwd ?? process.cwd(), String(flags.file)) : defaultKeysFile(env, io.cwd);
    const lock: FileLockOptions = {
      command: `npm run keys -- ${command}`,
      onWait: holder => io.err(`keys: waiting for ${describeHolder(holder)} to finish with ${file}\n`),
      ...io.lock,
    };
    if (command === 'list') return list(file, named, io);
    if (command === 'add') return add(file, flags, io, lock, flags.file !== undefined);
    return revoke(file, flags, io, lock);
  } catch (e: any) {
    if (e instanceof Refused || e instanceof LockTimeoutError) {
      io.err(`keys: ${e.message}\n`);
      return 1;
    }
    io.err(`keys: ${e.message}\n${e instanceof BadArguments ? `${USAGE}\n` : ''}`);
    return 2;
  }
}

function add(file: string, flags: Record<string, unknown>, io: KeysIo, lock: FileLockOptions, fileFlag: boolean): number {
  const tenant = flags.tenant as string | undefined;
  const tier = flags.tier as string | undefined;
  const tiers = io.tiers ?? EXAMPLE_TIERS.map(t => t.name);
  const problems: string[] = [];
  if (!tenant) problems.push('add needs --tenant NAME');
  else if (!isTenantName(tenant)) problems.push(`--tenant must be ${NAME_RULE}, got ${JSON.stringify(tenant)}`);
  if (tier !== undefined && !tiers.includes(tier)) {
    problems.push(`--tier must be one of the tiers the stack defines (${tiers.join(', ')}), got ${JSON.stringify(tier)}`);
  }
  if (problems.length > 0) throw new BadArguments(problems.length === 1 ? problems[0] : `${problems.length} problems:\n${problems.map(p => `  - ${p}`).join('\n')}`);

  const { issued, tierOfTenant, where } = noKeyIssuedOnFailure(() => updateKeysFile(file, (current, target) => {
    const known = Object.hasOwn(current.tenants, tenant!) ? current.tenants[tenant!] : undefined;
    if (!known && !tier) throw new Refused(`tenant ${tenant} is new: pass --tier TIER (${tiers.join(', ')}) to put it on a tier`);
    if (known && tier && known.tier !== tier) {
      throw new Refused(`tenant ${tenant} is on tier ${known.tier}, not ${tier}: to move it, change tenants.${tenant}.tier in ${target}`);
    }
    const onTier = known?.tier ?? tier!;
    if (!tiers.includes(onTier)) {
      throw new Refused(`tenant ${tenant} is on tier ${JSON.stringify(onTier)} in ${target}, which the stack does not define (${tiers.join(', ')}): change tenants.${tenant}.tier there first`);
    }
    const key = uniqueKey(current.keys, () => issueKey(tenant!, io.now?.() ?? new Date()));
    const tenants = Object.assign(Object.create(null), current.tenants, { [tenant!]: { tier: onTier } });
    const next: KeysFile = { version: 1, tenants, keys: [...current.keys, key.record] };
    return { next, result: { issued: key, tierOfTenant: onTier, where: target } };
  }, lock));
  // Printed only now: the hash is on disk (fsync'd, renamed into place) and the lock released.
  const relative = path.relative(io.cwd ?? process.cwd(), where);
  const shown = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : where;
  const synth = `npm run synth -- --profile tenants${fileFlag ? ` --keys-file ${shown}` : ''}`;
  io.err(`Issued key ${issued.record.id} for tenant ${tenant} (tier ${tierOfTenant}); its sha256 hash is recorded in ${where}.\n` +
    'This is the only time the key is shown: hand it to the tenant or put it in your secret store now.\n' +
    `Roll it out: \`${synth}\` (with your image digests), then \`npm run deploy\`.\n`);
  io.out(`${issued.key}\n`);
  return 0;
}

// A file that cannot be written or locked: say that no key came of it (nothing was printed).
function noKeyIssuedOnFailure<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof FileError || e instanceof LockTimeoutError) e.message += '; no key was issued';
    throw e;
  }
}

// A new key whose id and hash no recorded key has (the id's 32 random bits can collide among many keys).
function uniqueKey(keys: readonly KeysFileKey[], issue: () => ReturnType<typeof issueKey>): ReturnType<typeof issueKey> {
  const ids = new Set(keys.map(k => k.id));
  const hashes = new Set(keys.map(k => k.keyHash.toLowerCase()));
  for (;;) {
    const key = issue();
    if (!ids.has(key.record.id) && !hashes.has(key.record.keyHash)) return key;
  }
}

function list(file: string, named: boolean, io: KeysIo): number {
  let current: KeysFile;
  try {
    current = readKeysFile(file);
  } catch (e) {
    if (!(e instanceof KeysFileMissingError)) throw e;
    if (named) throw new Refused(`keys file ${file} does not exist: check the path (--file or $KEYS_FILE)`);
    io.out(`no keys yet: ${file} does not exist (\`npm run keys -- add\` creates it)\n`);
    return 0;
  }
  if (current.keys.length === 0) {
    io.out(`no keys in ${file}\n`);
    return 0;
  }
  const rows = [['ID', 'TENANT', 'TIER', 'CREATED', 'HASH'],
    ...current.keys.map(k => [k.id, k.tenant, current.tenants[k.tenant]?.tier ?? '?', k.created ?? '', `${k.keyHash.slice(0, 19)}…`])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)));
  for (const r of rows) io.out(`${r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()}\n`);
  return 0;
}

function revoke(file: string, flags: Record<string, unknown>, io: KeysIo, lock: FileLockOptions): number {
  const id = flags.id as string | undefined;
  const tenant = flags.tenant as string | undefined;
  if ((id === undefined) === (tenant === undefined)) throw new BadArguments('revoke needs exactly one of --id ID or --tenant NAME');
  try {
    readKeysFile(file); // a missing file is an error here, not an empty one to create
  } catch (e) {
    if (e instanceof KeysFileMissingError) throw new Refused(`keys file ${file} does not exist: nothing to revoke (check --file or $KEYS_FILE)`);
    throw e;
  }
  const { gone, where } = updateKeysFile(file, (current, target) => {
    const match = current.keys.filter(k => (id !== undefined ? k.id === id : k.tenant === tenant));
    if (match.length === 0) throw new Refused(id !== undefined ? `no key with id ${id} in ${target} (see \`npm run keys -- list\`)` : `tenant ${tenant} has no keys in ${target}`);
    return { next: { ...current, keys: current.keys.filter(k => !match.includes(k)) }, result: { gone: match, where: target } };
  }, lock);
  io.err(`Revoked ${gone.map(k => k.id).join(', ')} in ${where}. The gateway refuses ${gone.length === 1 ? 'it' : 'them'} once the new dist/ is applied ` +
    '(`npm run synth -- --profile tenants`, then `npm run deploy`).\n');
  return 0;
}

if (require.main === module) {
  runMain('keys', () => runKeys(process.argv.slice(2)));
}
