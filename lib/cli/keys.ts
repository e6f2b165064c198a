/**
 * `npm run keys -- add --tenant NAME [--tier T] | list | revoke (--id ID | --tenant NAME)  [--file PATH]`
 *
 * Issues and revokes tenants' API keys. A new key is printed once, on stdout alone (so `KEY=$(npm run -s keys --
 * add ...)` works); only its sha256 hash is recorded in the keys file (`--file`, `$KEYS_FILE`, or
 * `config/api-keys.json`), which the app reads at synth. The plaintext key is never written anywhere.
 * Exit 0: done; 1: refused (unknown tenant, tier mismatch, nothing to revoke); 2: bad arguments or unreadable file.
 */
import * as path from 'path';
import { issueKey, KeysFile, readKeysFile, writeKeysFile } from '../app/api-keys-file';
import { parseFlags } from '../ops/args';
import { isDns1123Label } from '../shared/validation';

const USAGE = 'usage: npm run keys -- add --tenant NAME [--tier TIER] | list | revoke (--id ID | --tenant NAME)   [--file PATH]';

/** The default keys file: `$KEYS_FILE`, else `config/api-keys.json` in the working directory (the project root under npm). */
export function defaultKeysFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.KEYS_FILE ?? path.join('config', 'api-keys.json'));
}

/** Where the CLI's output goes; `key` receives only a new plaintext key. */
export interface KeysIo {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  readonly now?: () => Date;
}

class Refused extends Error {}
class BadArguments extends Error {}

/** Runs the CLI; returns the exit code. */
export function runKeys(argv: readonly string[], io: KeysIo = { out: s => process.stdout.write(s), err: s => process.stderr.write(s) }, env: NodeJS.ProcessEnv = process.env): number {
  const [command, ...rest] = argv;
  try {
    const spec = command === 'add' ? { values: ['tenant', 'tier', 'file'], flags: [] }
      : command === 'revoke' ? { values: ['id', 'tenant', 'file'], flags: [] }
        : command === 'list' ? { values: ['file'], flags: [] }
          : undefined;
    if (!spec) throw new BadArguments(command ? `unknown command ${JSON.stringify(command)}` : 'a command is required');
    let flags: Record<string, string | boolean | undefined>;
    try {
      flags = parseFlags(rest, spec);
    } catch (e: any) {
      throw new BadArguments(e.message);
    }
    const file = String(flags.file ?? defaultKeysFile(env));
    const current = readKeysFile(file);
    if (command === 'list') return list(current, file, io);
    if (command === 'add') return add(current, file, flags, io);
    return revoke(current, file, flags, io);
  } catch (e: any) {
    if (e instanceof Refused) {
      io.err(`keys: ${e.message}\n`);
      return 1;
    }
    io.err(`keys: ${e.message}\n${e instanceof BadArguments ? `${USAGE}\n` : ''}`);
    return 2;
  }
}

function add(current: KeysFile, file: string, flags: Record<string, unknown>, io: KeysIo): number {
  const tenant = flags.tenant as string | undefined;
  const tier = flags.tier as string | undefined;
  if (!tenant) throw new BadArguments('add needs --tenant NAME');
  if (!isDns1123Label(tenant)) throw new BadArguments(`--tenant must be a DNS-1123 label (lower-case letters, digits, "-"), got ${JSON.stringify(tenant)}`);
  if (tier !== undefined && !isDns1123Label(tier)) throw new BadArguments(`--tier must be a tier name (a DNS-1123 label), got ${JSON.stringify(tier)}`);
  const known = current.tenants[tenant];
  if (!known && !tier) throw new Refused(`tenant ${tenant} is new: pass --tier TIER to put it on a tier`);
  if (known && tier && known.tier !== tier) {
    throw new Refused(`tenant ${tenant} is on tier ${known.tier}, not ${tier}: to move it, change tenants.${tenant}.tier in ${file}`);
  }
  const issued = issueKey(tenant, io.now?.() ?? new Date());
  const next: KeysFile = {
    version: 1,
    tenants: { ...current.tenants, [tenant]: { tier: known?.tier ?? tier! } },
    keys: [...current.keys, issued.record],
  };
  writeKeysFile(file, next);
  io.err(`Issued key ${issued.record.id} for tenant ${tenant} (tier ${next.tenants[tenant].tier}); its sha256 hash is recorded in ${file}.\n` +
    'This is the only time the key is shown: hand it to the tenant or put it in your secret store now.\n' +
    'Run `npm run synth` and apply to roll it out.\n');
  io.out(`${issued.key}\n`);
  return 0;
}

function list(current: KeysFile, file: string, io: KeysIo): number {
  if (current.keys.length === 0) {
    io.out(`no keys in ${file}\n`);
    return 0;
  }
  const rows = [['ID', 'TENANT', 'TIER', 'CREATED', 'HASH'],
    ...current.keys.map(k => [k.id, k.tenant, current.tenants[k.tenant]?.tier ?? '?', k.created, `${k.keyHash.slice(0, 19)}…`])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)));
  for (const r of rows) io.out(`${r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()}\n`);
  return 0;
}

function revoke(current: KeysFile, file: string, flags: Record<string, unknown>, io: KeysIo): number {
  const id = flags.id as string | undefined;
  const tenant = flags.tenant as string | undefined;
  if ((id === undefined) === (tenant === undefined)) throw new BadArguments('revoke needs exactly one of --id ID or --tenant NAME');
  const gone = current.keys.filter(k => (id !== undefined ? k.id === id : k.tenant === tenant));
  if (gone.length === 0) throw new Refused(id !== undefined ? `no key with id ${id} in ${file} (see \`npm run keys -- list\`)` : `tenant ${tenant} has no keys in ${file}`);
  writeKeysFile(file, { ...current, keys: current.keys.filter(k => !gone.includes(k)) });
  io.err(`Revoked ${gone.map(k => k.id).join(', ')} in ${file}. The gateway refuses ${gone.length === 1 ? 'it' : 'them'} once the new dist/ is applied.\n`);
  return 0;
}

if (require.main === module) {
  process.exitCode = runKeys(process.argv.slice(2));
}
