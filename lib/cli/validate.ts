/**
 * `npm run validate -- [--strict] [--existing PATH]... [PATH...]`: validates YAML files or directories (default: dist/)
 * offline, as the API server would judge `kubectl apply --validate=strict`, plus the references between objects;
 * `--existing` files hold objects already in the cluster, which resolve references and are not judged.
 * Exit 0: valid; 1: findings; 2: could not run (an unreadable input, a bad argument).
 */
import * as path from 'path';
import { ValidationCache } from '../validate/cache';
import { CannotRunError } from '../validate/documents';
import { CommandDoc, helpText, parseCommand, runMain, wantsHelp } from './command';
import { distDir } from './dist-dir';
import { formatFinding, serverWouldRefuse } from '../validate/findings';
import { validatePaths } from '../validate/validator';

/** `npm run validate`'s description: its --help and its flags. */
export const VALIDATE: CommandDoc = {
  command: 'npm run validate --',
  summary: 'Validates YAML files or directories offline, as the API server would judge `kubectl apply --validate=strict`,\n' +
    'plus the references between objects, security findings and known pitfalls.',
  args: '[PATH...]',
  flags: [
    { name: 'strict', description: 'warnings fail too (exit 1)' },
    { name: 'existing', value: 'PATH', multiple: true, description: 'a YAML file or directory of objects that already exist in the cluster: they resolve references and are not judged or reported' },
  ],
  env: [
    ['CDK8S_OUTDIR', 'the output directory validated when no PATH is given (default: dist)'],
    ['UPSTREAM_MIRROR', 'a directory mirroring the pinned upstream files (the CRDs the schemas come from)'],
    ['VALIDATE_CACHE', 'where compiled schemas and verdicts are cached (default: .cache/validate)'],
  ],
  exit: ['0  valid', '1  findings (errors; with --strict, warnings too)', '2  could not run: an unreadable input or a bad argument'],
  examples: ['npm run validate', 'npm run validate -- --strict dist/0007-models.k8s.yaml', 'npm run validate -- --existing shared-gateway.yaml dist/'],
};

/** Runs the CLI; returns the exit code. */
export function runValidate(argv: readonly string[], out: (s: string) => void = s => process.stdout.write(s), err: (s: string) => void = s => process.stderr.write(s)): number {
  let strict: boolean;
  let paths: string[];
  let existing: string[];
  try {
    if (wantsHelp(argv)) {
      out(helpText(VALIDATE));
      return 0;
    }
    const parsed = parseCommand(VALIDATE, argv);
    strict = parsed.flags.strict === true;
    paths = parsed.positionals;
    existing = parsed.lists.existing ?? [];
    if (existing.some(p => p === '')) throw new Error('--existing needs a path (a YAML file or a directory of objects that exist in the cluster)');
  } catch (e: any) {
    err(`validate: ${e.message}\nusage: npm run validate -- [--strict] [--existing PATH]... [PATH...]   (--help for more)\n`);
    return 2;
  }
  const started = process.hrtime.bigint();
  try {
    const result = validatePaths(paths.length > 0 ? paths : [distDir()], { strict, existing, cache: ValidationCache.default(process.env, m => err(`validate: warning: ${m}\n`)) });
    const rel = (f: string) => (path.isAbsolute(f) ? path.relative(process.cwd(), f) || f : f);
    // The server's verdict first, apart from the validator's own findings (references, duplicates, security,
    // pitfalls, tenant budgets): "the server would refuse this" is not "this applies but will not work".
    const refused = result.findings.filter(serverWouldRefuse);
    const advice = result.findings.filter(f => !serverWouldRefuse(f));
    const section = (title: string, findings: typeof refused) => {
      if (findings.length === 0) return;
      out(`# ${title} (${findings.length}):\n`);
      for (const f of findings) out(`${formatFinding({ ...f, file: rel(f.file) })}\n`);
    };
    section('the API server would refuse these', refused);
    section('these apply, but will not work as meant (the validator\'s own findings)', advice);
    const errors = result.findings.filter(f => f.severity === 'error').length;
    const warnings = result.findings.length - errors;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    out(`${result.ok ? 'valid' : 'INVALID'}: ${result.objects} objects in ${result.files} files, ${errors} errors (${refused.length} the server would refuse), ${warnings} warnings${strict ? ' (--strict: warnings fail)' : ''} (${ms.toFixed(0)} ms)\n`);
    return result.ok ? 0 : 1;
  } catch (e: any) {
    // A bug of ours is reported in one line too; VALIDATE_DEBUG=1 shows where it happened.
    const detail = e instanceof CannotRunError ? e.message : `internal error: ${e?.message ?? e}${process.env.VALIDATE_DEBUG ? `\n${e?.stack}` : ' (VALIDATE_DEBUG=1 shows the stack)'}`;
    err(`validate: ${detail}\n`);
    return 2;
  }
}

if (require.main === module) {
  runMain('validate', () => runValidate(process.argv.slice(2)));
}
