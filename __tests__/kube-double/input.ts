/**
 * What a kubectl call is given, read as kubectl reads it: flags (unknown ones refused), Go durations, and the
 * documents of `-f` (a file, a directory's manifests, or stdin), parsed once per content.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

const VALUE_FLAGS = new Set(['context', 'namespace', 'filename', 'selector', 'for', 'timeout', 'field-manager', 'output', 'wait']);
const BOOL_FLAGS = new Set(['server-side', 'force-conflicts', 'ignore-not-found', 'all']);
const SHORT: Record<string, string> = { n: 'namespace', f: 'filename', l: 'selector', o: 'output' };

/** An error kubectl reports (exit 1), as opposed to a crash of the double. */
export class KubectlError extends Error {}

export interface Parsed { verb: string; positional: string[]; flags: Record<string, string> }

export function parse(argv: string[]): Parsed {
  const flags: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--?([\w-]+)(?:=(.*))?$/s.exec(a);
    if (!m || a === '-') { positional.push(a); continue; }
    const name = a.startsWith('--') ? m[1] : SHORT[m[1]];
    if (name === undefined || (!VALUE_FLAGS.has(name) && !BOOL_FLAGS.has(name))) throw new KubectlError(`unknown flag: ${a.split('=')[0]}`);
    if (BOOL_FLAGS.has(name)) flags[name] = m[2] ?? 'true';
    else if (m[2] !== undefined) flags[name] = m[2];
    else if (i + 1 < argv.length) flags[name] = argv[++i];
    else throw new KubectlError(`flag needs an argument: ${a}`);
  }
  const verb = positional.shift();
  if (!verb) throw new KubectlError('no command given');
  return { verb, positional, flags };
}

/** A Go duration (`90s`, `1m30s`, `500ms`) in ms. */
export function duration(v: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...v.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (v === '0') return 0;
  if (parts.length === 0 || parts.map(p => p[0]).join('') !== v) throw new KubectlError(`invalid argument "${v}" for "--timeout" flag: time: invalid duration "${v}"`);
  return parts.reduce((ms, p) => ms + Number(p[1]) * units[p[2]], 0);
}

export interface Doc { obj: any; hash: string; source: string }

/** The documents of `-f` (a file, a directory's manifests, or `-` for stdin), parsed once per content. */
export function readDocs(filename: string): Doc[] {
  const files = filename === '-' ? ['-'] : fs.statSync(filename).isDirectory()
    ? fs.readdirSync(filename).filter(f => /\.(ya?ml|json)$/.test(f)).sort().map(f => path.join(filename, f)) : [filename];
  return files.flatMap(file => {
    const text = file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
    const source = file === '-' ? 'STDIN' : file;
    const cacheDir = process.env.KUBE_DOUBLE_CACHE;
    const cacheFile = cacheDir && path.join(cacheDir, `${crypto.createHash('sha256').update(text).digest('hex')}.json`);
    if (cacheFile && fs.existsSync(cacheFile)) return (JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as Doc[]).map(d => ({ ...d, source }));
    // Loaded only on a cache miss: each call is a new process, and most find their manifests parsed already.
    const jsyaml = require('js-yaml') as typeof import('js-yaml');
    const docs = jsyaml.loadAll(text).filter((o: any) => o && typeof o === 'object').map((obj: any) => ({
      obj: strip(obj), hash: crypto.createHash('sha256').update(JSON.stringify(obj)).digest('hex'), source,
    }));
    if (cacheFile) {
      fs.mkdirSync(cacheDir!, { recursive: true });
      fs.writeFileSync(`${cacheFile}.${process.pid}`, JSON.stringify(docs));
      fs.renameSync(`${cacheFile}.${process.pid}`, cacheFile);
    }
    return docs;
  });
}

/** A CRD keeps what discovery needs; its schemas (megabytes) are never read here. */
function strip(obj: any): any {
  if (obj.kind !== 'CustomResourceDefinition') return obj;
  return { ...obj, spec: { ...obj.spec, versions: (obj.spec?.versions ?? []).map((v: any) => ({ name: v.name, served: v.served, storage: v.storage })) } };
}
