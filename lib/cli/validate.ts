/**
 * `npm run validate -- [--strict] [--existing PATH]... [PATH...]`: validates YAML files or directories (default: dist/)
 * offline, as the API server would judge `kubectl apply --validate=strict`, plus the references between objects;
 * `--existing` files hold objects already in the cluster, which resolve references and are not judged.
 * Exit 0: valid; 1: findings; 2: could not run (an unreadable input, a bad argument).
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { ValidationCache } from '../validate/cache';
import { CannotRunError } from '../validate/documents';
import { distDir } from './dist-dir';
import { formatFinding } from '../validate/findings';
import { validatePaths } from '../validate/validator';

/** Runs the CLI; returns the exit code. */
export function runValidate(argv: readonly string[], out: (s: string) => void = s => process.stdout.write(s), err: (s: string) => void = s => process.stderr.write(s)): number {
  let strict: boolean;
  let paths: string[];
  let existing: string[];
  try {
    // --existing repeats, which parseCommandLine's single values do not: util.parseArgs, strict as there.
    const parsed = parseArgs({ args: [...argv], options: { strict: { type: 'boolean' }, existing: { type: 'string', multiple: true } }, strict: true, allowPositionals: true });
    strict = parsed.values.strict === true;
    paths = parsed.positionals;
    existing = parsed.values.existing ?? [];
    if (existing.some(p => p === '')) throw new Error('--existing needs a path (a YAML file or a directory of objects that exist in the cluster)');
  } catch (e: any) {
    err(`validate: ${e.message}\nusage: npm run validate -- [--strict] [--existing PATH]... [PATH...]\n`);
    return 2;
  }
  const started = process.hrtime.bigint();
  try {
    const result = validatePaths(paths.length > 0 ? paths : [distDir()], { strict, existing, cache: ValidationCache.default(process.env, m => err(`validate: warning: ${m}\n`)) });
    const rel = (f: string) => (path.isAbsolute(f) ? path.relative(process.cwd(), f) || f : f);
    for (const f of result.findings) out(`${formatFinding({ ...f, file: rel(f.file) })}\n`);
    const errors = result.findings.filter(f => f.severity === 'error').length;
    const warnings = result.findings.length - errors;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    out(`${result.ok ? 'valid' : 'INVALID'}: ${result.objects} objects in ${result.files} files, ${errors} errors, ${warnings} warnings${strict ? ' (--strict: warnings fail)' : ''} (${ms.toFixed(0)} ms)\n`);
    return result.ok ? 0 : 1;
  } catch (e: any) {
    // A bug of ours is reported in one line too; VALIDATE_DEBUG=1 shows where it happened.
    const detail = e instanceof CannotRunError ? e.message : `internal error: ${e?.message ?? e}${process.env.VALIDATE_DEBUG ? `\n${e?.stack}` : ' (VALIDATE_DEBUG=1 shows the stack)'}`;
    err(`validate: ${detail}\n`);
    return 2;
  }
}

if (require.main === module) {
  process.exitCode = runValidate(process.argv.slice(2));
}
