/**
 * The keys file: which tenants exist, on which tier, and the sha256 hashes of their API keys. It is safe to commit:
 * it never holds a key, only what agentgateway's `apiKeyAuthentication` compares against (`keyHash`).
 * `npm run keys` writes it; the app reads it into {@link TenantsProps}.
 */
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { isDns1123Label } from '../shared/validation';
import { ApiKeyRecord, KEY_HASH, TenantSpec } from './tenants';

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
export const EMPTY_KEYS_FILE: KeysFile = { version: 1, tenants: {}, keys: [] };

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

/** Parses the file's text; throws naming the file, the field and the fix. */
export function parseKeysFile(text: string, where = 'keys file'): KeysFile {
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch (e: any) {
    throw new Error(`${where}: not valid JSON (${e.message})`);
  }
  const problems: string[] = [];
  if (doc?.version !== 1) problems.push(`version must be 1, got ${JSON.stringify(doc?.version)}`);
  const tenants = doc?.tenants ?? {};
  if (typeof tenants !== 'object' || Array.isArray(tenants)) problems.push('tenants must be an object of name -> { tier }');
  for (const [name, t] of Object.entries<any>(tenants)) {
    if (!isDns1123Label(name)) problems.push(`tenants: ${JSON.stringify(name)} is not a DNS-1123 label`);
    if (!isDns1123Label(t?.tier)) problems.push(`tenants.${name}.tier must be a tier name, got ${JSON.stringify(t?.tier)}`);
  }
  const keys = Array.isArray(doc?.keys) ? doc.keys : (problems.push('keys must be a list'), []);
  const ids = new Set<string>();
  keys.forEach((k: any, i: number) => {
    if (typeof k?.id !== 'string' || !/^[-._a-zA-Z0-9]{1,253}$/.test(k.id)) problems.push(`keys[${i}].id must be letters, digits, "-", "_" or ".", got ${JSON.stringify(k?.id)}`);
    else if (ids.has(k.id)) problems.push(`keys[${i}].id ${JSON.stringify(k.id)} is used twice`);
    ids.add(k?.id);
    if (!(k?.tenant in tenants)) problems.push(`keys[${i}].tenant ${JSON.stringify(k?.tenant)} is not in tenants`);
    if (typeof k?.keyHash !== 'string' || !KEY_HASH.test(k.keyHash)) problems.push(`keys[${i}].keyHash must be "sha256:" followed by 64 hex digits`);
    if ('key' in (k ?? {})) problems.push(`keys[${i}] holds a plaintext "key": remove it, revoke that key and issue a new one (the file is committed)`);
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

/** Reads a keys file; a missing file is an empty one. */
export function readKeysFile(file: string): KeysFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e: any) {
    if (e.code === 'ENOENT') return EMPTY_KEYS_FILE;
    throw new Error(`cannot read keys file ${file}: ${e.code ?? e.message}`);
  }
  return parseKeysFile(text, file);
}

/** Writes a keys file atomically (temp file beside it, then rename): a crash never leaves half a file. */
export function writeKeysFile(file: string, content: KeysFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, serializeKeysFile(content), { mode: 0o644 });
  fs.renameSync(tmp, file);
}

/** The tenants and keys of a file, as {@link TenantsProps} takes them. */
export function tenantsFromKeysFile(file: KeysFile): { tenants: TenantSpec[]; keys: ApiKeyRecord[] } {
  return {
    tenants: Object.keys(file.tenants).sort().map(name => ({ name, tier: file.tenants[name].tier })),
    keys: file.keys.map(k => ({ id: k.id, tenant: k.tenant, keyHash: k.keyHash })),
  };
}
