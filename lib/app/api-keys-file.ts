/**
 * The keys file: which tenants exist, on which tier, and the sha256 hashes of their API keys. It is safe to commit:
 * it never holds a key, only what agentgateway's `apiKeyAuthentication` compares against (`keyHash`).
 * `npm run keys` writes it (under a lock, atomically, durably); the app reads it into {@link TenantsProps}.
 */
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { makeDirs, readSmallFile, replaceFile } from '../shared/durable-file';
import { FileLockOptions, withFileLock } from '../shared/file-lock';
import { ApiKeyRecord, isPrototypeName, isTenantName, KEY_HASH, NAME_RULE, TenantSpec } from './tenants';

/** One issued key, as recorded. */
export interface KeysFileKey extends ApiKeyRecord {
  /** When it was issued (ISO 8601, UTC). */
  readonly created: string;
}

/** The file's content. */
export interface KeysFile {
  /** Format version. */
  readonly version: 1;
  /** Tenants by name, with their tier. */
  readonly tenants: Readonly<Record<string, { readonly tier: string }>>;
  /** Issued keys, in the order they were issued. */
  readonly keys: readonly KeysFileKey[];
}

/** An empty file. */
export const EMPTY_KEYS_FILE: KeysFile = Object.freeze({ version: 1, tenants: Object.freeze(Object.create(null)), keys: Object.freeze([]) });

/** A key as issued: the plaintext (to show once) and what is recorded. */
export interface IssuedKey {
  /** The API key. Show it once; never store it. */
  readonly key: string;
  /** The record for the keys file. */
  readonly record: KeysFileKey;
}

/** Prefix of issued keys, so secret scanners and humans recognise one. */
export const KEY_PREFIX = 'agwk_';

/** `sha256:<hex>` of a key, as agentgateway hashes it (agentgateway@v1.4.1:crates/agentgateway/src/http/apikey.rs). */
export function hashKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** A new random key (256 bits) for `tenant`, and its record. */
export function issueKey(tenant: string, now: Date = new Date(), random: (n: number) => Buffer = randomBytes): IssuedKey {
  const key = `${KEY_PREFIX}${random(32).toString('base64url')}`;
  const id = `${tenant}-${random(4).toString('hex')}`;
  return { key, record: { id, tenant, keyHash: hashKey(key), created: now.toISOString().replace(/\.\d{3}Z$/, 'Z') } };
}

/** The keys file `npm run keys` writes and the tenants profile reads, relative to the working directory (the project root under npm). */
export const DEFAULT_KEYS_FILE = path.join('config', 'api-keys.json');

/** The keys file that was named does not exist. */
export class KeysFileMissingError extends Error {
  constructor(public readonly file: string) {
    super(`keys file ${file} does not exist`);
    this.name = 'KeysFileMissingError';
  }
}

const FIELDS = { file: ['version', 'tenants', 'keys'], tenant: ['tier'], key: ['id', 'tenant', 'keyHash', 'created'] };
// ConfigMap data keys (k8s.io/apimachinery IsConfigMapKey): a key's id is one.
const KEY_ID = /^[-._a-zA-Z0-9]{1,253}$/;
const isMap = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const unknownFields = (v: Record<string, any>, known: readonly string[]) => Object.keys(v).filter(k => !known.includes(k));

/**
 * Parses the file's text; throws one error naming the file and every problem (the entry, the bad value, the fix).
 * Names are checked as the stack checks them: tenants and tiers are DNS-1123 labels and no name every JavaScript
 * object has; one hash belongs to one key.
 */
export function parseKeysFile(text: string, where = 'keys file'): KeysFile {
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch (e: any) {
    throw new Error(`${where}: not valid JSON (${e.message})`);
  }
  const problems: string[] = [];
  if (!isMap(doc)) throw new Error(`${where}: must be a JSON object with version, tenants and keys, got ${JSON.stringify(doc)}`);
  if (doc.version !== 1) problems.push(`version must be 1, got ${JSON.stringify(doc.version)}`);
  for (const f of unknownFields(doc, FIELDS.file)) problems.push(`unknown field ${JSON.stringify(f)}: a keys file holds version, tenants and keys only`);
  const tenants: Record<string, { tier: string }> = Object.create(null);
  if (doc.tenants !== undefined && !isMap(doc.tenants)) problems.push('tenants must be an object of name -> { "tier": TIER }');
  for (const [name, t] of Object.entries<any>(isMap(doc.tenants) ? doc.tenants : {})) {
    if (!isTenantName(name)) problems.push(`tenants: ${JSON.stringify(name)} is not a tenant name: use ${NAME_RULE}`);
    if (!isMap(t)) {
      problems.push(`tenants.${name} must be { "tier": TIER }, got ${JSON.stringify(t)}`);
      continue;
    }
    if (!isTenantName(t.tier)) problems.push(`tenants.${name}.tier must be a tier name (${NAME_RULE}), got ${JSON.stringify(t.tier)}`);
    for (const f of unknownFields(t, FIELDS.tenant)) problems.push(`tenants.${name} has an unknown field ${JSON.stringify(f)}: a tenant entry holds its tier only`);
    tenants[name] = { tier: t.tier };
  }
  const keys: KeysFileKey[] = [];
  if (!Array.isArray(doc.keys)) problems.push(`keys must be a list, got ${JSON.stringify(doc.keys)}`);
  const ids = new Map<string, number>();
  const hashes = new Map<string, string>();
  (Array.isArray(doc.keys) ? doc.keys : []).forEach((k: any, i: number) => {
    if (!isMap(k)) {
      problems.push(`keys[${i}] must be an object with id, tenant, keyHash and created, got ${JSON.stringify(k)}`);
      return;
    }
    const at = typeof k.id === 'string' ? `keys[${i}] (id ${JSON.stringify(k.id)})` : `keys[${i}]`;
    if ('key' in k) problems.push(`${at} holds a plaintext "key": remove it, revoke that key and issue a new one (the file is committed)`);
    for (const f of unknownFields(k, [...FIELDS.key, 'key'])) problems.push(`${at} has an unknown field ${JSON.stringify(f)}: a key entry holds id, tenant, keyHash and created only`);
    if (typeof k.id !== 'string' || !KEY_ID.test(k.id) || isPrototypeName(k.id)) {
      problems.push(`keys[${i}].id must be letters, digits, "-", "_" or "." (a ConfigMap key) and not a name every JavaScript object has, got ${JSON.stringify(k.id)}`);
    } else if (ids.has(k.id)) {
      problems.push(`${at}: the id is also the id of keys[${ids.get(k.id)}]: give each key its own id`);
    } else {
      ids.set(k.id, i);
    }
    if (typeof k.tenant !== 'string' || !Object.hasOwn(tenants, k.tenant)) problems.push(`${at}: tenant ${JSON.stringify(k.tenant)} is not in tenants: add it there with its tier, or revoke the key`);
    if (typeof k.keyHash !== 'string' || !KEY_HASH.test(k.keyHash)) {
      problems.push(`${at}: keyHash must be "sha256:" followed by 64 hex digits, got ${JSON.stringify(k.keyHash)}`);
    } else {
      const other = hashes.get(k.keyHash.toLowerCase());
      if (other !== undefined) problems.push(`${at}: keyHash is also the hash of key ${other}: one key belongs to one tenant; revoke one of them`);
      else hashes.set(k.keyHash.toLowerCase(), `${JSON.stringify(k.id)} (tenant ${JSON.stringify(k.tenant)})`);
    }
    if (k.created !== undefined && typeof k.created !== 'string') problems.push(`${at}: created must be a date (ISO 8601 text), got ${JSON.stringify(k.created)}`);
    keys.push({ id: k.id, tenant: k.tenant, keyHash: k.keyHash, created: k.created });
  });
  if (problems.length > 0) throw new Error(`${where}: ${problems.length === 1 ? problems[0] : `${problems.length} problems:\n${problems.map(p => `  - ${p}`).join('\n')}`}`);
  return { version: 1, tenants, keys };
}

/** The file's text: stable key order, two-space indent, trailing newline, so diffs stay small. */
export function serializeKeysFile(file: KeysFile): string {
  const tenants = Object.fromEntries(Object.keys(file.tenants).sort().map(n => [n, { tier: file.tenants[n].tier }]));
  const keys = file.keys.map(k => ({ id: k.id, tenant: k.tenant, keyHash: k.keyHash, created: k.created }));
  return `${JSON.stringify({ version: 1, tenants, keys }, null, 2)}\n`;
}

/** Options for {@link readKeysFile}. */
export interface ReadKeysFileOptions {
  /**
   * Read a missing file as an empty one (for the command that creates it).
   * @default false: a missing file is a {@link KeysFileMissingError}
   */
  readonly allowMissing?: boolean;
}

/** Reads a keys file. Refuses anything but a regular file of at most 64 MiB. */
export function readKeysFile(file: string, options: ReadKeysFileOptions = {}): KeysFile {
  let text: string | undefined;
  try {
    text = readSmallFile(file, { maxBytes: 64 * 1024 * 1024 });
  } catch (e: any) {
    throw new Error(`cannot read keys file: ${e.message}`);
  }
  if (text === undefined) {
    if (options.allowMissing) return EMPTY_KEYS_FILE;
    throw new KeysFileMissingError(file);
  }
  return parseKeysFile(text, file);
}

/** Writes a keys file durably and atomically, readable by its owner only (0600); creates its directory. */
export function writeKeysFile(file: string, content: KeysFile): void {
  const text = serializeKeysFile(content);
  parseKeysFile(text, file); // never write a file that could not be read back
  makeDirs(path.dirname(file));
  replaceFile(file, text, { mode: 0o600 });
}

/** What a change to a keys file returns: the new content (none: nothing to write) and the caller's result. */
export interface KeysFileChange<T> {
  /** The new content. @default - the file is not written */
  readonly next?: KeysFile;
  /** Returned by {@link updateKeysFile}. */
  readonly result: T;
}

/**
 * Changes a keys file under its lock (`<file>.lock`): reads it (missing: empty), passes it to `change`, writes what
 * `change` returns, and releases the lock. When this returns, the change is on disk; concurrent updates all take
 * effect, one after the other. A file reached through a symbolic link is changed where the link points.
 */
export function updateKeysFile<T>(file: string, change: (current: KeysFile, file: string) => KeysFileChange<T>, options: FileLockOptions = {}): T {
  const target = realTarget(file);
  makeDirs(path.dirname(target));
  return withFileLock(target, () => {
    const { next, result } = change(readKeysFile(target, { allowMissing: true }), target);
    if (next) writeKeysFile(target, next);
    return result;
  }, options);
}

// The file a path ends at (through symbolic links, even to a file not made yet), so a link is never replaced by a file.
function realTarget(file: string): string {
  const resolved = path.resolve(file);
  try {
    return fs.realpathSync(resolved);
  } catch {
    try {
      const link = fs.readlinkSync(resolved);
      return path.resolve(path.dirname(resolved), link);
    } catch {
      return resolved;
    }
  }
}

/** The tenants and keys of a file, as {@link TenantsProps} takes them. */
export function tenantsFromKeysFile(file: KeysFile): { tenants: TenantSpec[]; keys: ApiKeyRecord[] } {
  return {
    tenants: Object.keys(file.tenants).sort().map(name => ({ name, tier: file.tenants[name].tier })),
    keys: file.keys.map(k => ({ id: k.id, tenant: k.tenant, keyHash: k.keyHash })),
  };
}
