import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { FileError, readSmallFileBytes } from '../shared/durable-file';
import { decodeYaml } from './yaml-decode';

/**
 * The largest input file read, in bytes: far above any manifest set (20,000 objects are about 5 MiB), and low
 * enough that a wrong path (a disk image, a log) is refused at once rather than parsed for minutes.
 */
export const MAX_INPUT_FILE_BYTES = 64 * 1024 * 1024;

/** The input could not be read at all (exit code 2, not a finding). */
export class CannotRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CannotRunError';
  }
}

/** One YAML document of an input file, before parsing. */
export interface RawInputDocument {
  /** The file, as given or found under a given directory. */
  readonly file: string;
  /** 1-based line where the document starts. */
  readonly line: number;
  /** Its text. */
  readonly text: string;
  /** sha256 of the text: the key for results cached per upstream pin. */
  readonly hash: string;
}

const YAML_FILE = /\.(ya?ml|json)$/i;

/**
 * Expands files and directories into the YAML/JSON files to read, sorted. A directory is read as `kubectl apply -f DIR`
 * reads it: its own files, not its subdirectories (dist/gitops/ holds copies of dist/'s files, for kustomize).
 */
export function listInputFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const visit = (p: string, given: boolean) => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch (e: any) {
      throw new CannotRunError(`cannot read ${p}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.message}`);
    }
    if (stat.isDirectory()) {
      if (!given) return;
      let entries: string[];
      try {
        entries = fs.readdirSync(p).sort();
      } catch (e: any) {
        throw new CannotRunError(`cannot read directory ${p}: ${e.code ?? e.message}`);
      }
      for (const entry of entries) {
        if (entry.startsWith('.')) continue;
        visit(path.join(p, entry), false);
      }
    } else if (given || YAML_FILE.test(p)) {
      // A FIFO or a device would block or never end: refuse it before reading a byte.
      if (!stat.isFile()) throw new CannotRunError(`cannot read ${p}: it is ${specialKind(stat)}, not a regular file (give a YAML file or a directory of them)`);
      out.push(p);
    }
  };
  for (const p of paths) visit(p, true);
  return out;
}

function specialKind(stat: fs.Stats): string {
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'a special file';
}

/** Reads a file and splits it into documents at `---` lines, remembering where each starts. */
export function readDocuments(file: string): RawInputDocument[] {
  let bytes: Buffer | undefined;
  try {
    bytes = readSmallFileBytes(file, { maxBytes: MAX_INPUT_FILE_BYTES });
  } catch (e: any) {
    if (e instanceof FileError && e.code === 'EFBIG') {
      throw new CannotRunError(`cannot read ${file}: it is ${fs.statSync(file).size} bytes, more than the ${MAX_INPUT_FILE_BYTES} (64 MiB) an input file may have; split it into several files`);
    }
    if (e instanceof FileError && e.code === 'EINVAL') throw new CannotRunError(`cannot read ${file}: it is not a regular file (give a YAML file or a directory of them)`);
    throw new CannotRunError(e instanceof FileError ? e.message : `cannot read ${file}: ${e.message}`);
  }
  if (bytes === undefined) throw new CannotRunError(`cannot read ${file}: no such file or directory`);
  const text = decodeText(bytes);
  return splitWithLines(text).map(d => ({ file, ...d, hash: createHash('sha256').update(d.text).digest('hex') }));
}

/**
 * A file's text as go-yaml reads it (goyaml.v2/readerc.go `yaml_parser_determine_encoding`): UTF-16 LE or BE when
 * the file starts with that byte-order mark, else UTF-8 (a UTF-8 BOM is dropped).
 */
export function decodeText(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2, bytes.length - (bytes.length % 2)));
    return swapped.swap16().toString('utf16le');
  }
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Splits a multi-document YAML text, keeping 1-based start lines and dropping blank documents. */
export function splitWithLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  const sep = /^---[ \t]*(?:#.*)?(?:\r?\n|$)/gm;
  let start = 0;
  let startLine = 1;
  let counted = 0; // newlines are counted incrementally: one pass over the text
  let line = 1;
  const lineAt = (offset: number) => {
    for (let i = text.indexOf('\n', counted); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
      line++;
      counted = i + 1;
    }
    return line;
  };
  let m: RegExpExecArray | null;
  const push = (end: number, line: number) => {
    const chunk = text.slice(start, end);
    const skipped = leadingNonContentLines(chunk);
    if (skipped !== undefined) out.push({ line: line + skipped, text: chunk });
  };
  while ((m = sep.exec(text))) {
    push(m.index, startLine);
    startLine = lineAt(m.index + m[0].length);
    start = m.index + m[0].length;
  }
  push(text.length, startLine);
  return out;
}

/**
 * How many blank or comment lines open a document, so its reported line is its first content line; undefined when
 * it holds nothing else (stops at the first content line).
 */
function leadingNonContentLines(chunk: string): number | undefined {
  let i = 0;
  let n = 0;
  while (i < chunk.length) {
    const end = chunk.indexOf('\n', i);
    const l = chunk.slice(i, end === -1 ? chunk.length : end).trim();
    if (l.length > 0 && !l.startsWith('#')) return n;
    if (end === -1) break;
    i = end + 1;
    n++;
  }
  return undefined;
}

/** The result of parsing one document: the object (and any warnings), or the YAML error with its line. */
export type ParsedDocument =
  | { readonly ok: true; readonly value: unknown; readonly warnings?: readonly { line: number; message: string }[] }
  | { readonly ok: false; readonly line: number; readonly message: string };

/** Parses a document as kubectl converts it to JSON (see yaml-decode.ts); lines are 1-based file lines. */
export function parseDocument(doc: RawInputDocument): ParsedDocument {
  const decoded = decodeYaml(doc.text);
  // doc.line is the first content line; decoder lines count from the document's first character.
  const first = doc.line - (leadingNonContentLines(doc.text) ?? 0);
  // An error at the very end (an unclosed bracket) is reported on the last line that has text.
  const lastLine = (doc.text.trimEnd().match(/\n/g)?.length ?? 0);
  if (!decoded.ok) return { ok: false, line: first + Math.min(decoded.line, lastLine), message: `YAML does not parse: ${decoded.message}` };
  const warnings = decoded.warnings.map(w => ({ line: first + w.line, message: w.message }));
  return { ok: true, value: decoded.value, warnings };
}

const pinMemo = new Map<string, { doc: RawInputDocument; parsed: ParsedDocument }[]>();

/**
 * The documents of a pinned upstream file, parsed, memoized per process by digest: building the CRD index and
 * judging a pin's objects share one parse.
 */
export function parsedPin(url: string, sha256: string, text: () => string): { doc: RawInputDocument; parsed: ParsedDocument }[] {
  let hit = pinMemo.get(sha256);
  if (!hit) {
    hit = splitWithLines(text()).map(d => {
      const doc = { file: url, ...d, hash: createHash('sha256').update(d.text).digest('hex') };
      return { doc, parsed: parseDocument(doc) };
    });
    pinMemo.set(sha256, hit);
  }
  return hit;
}
