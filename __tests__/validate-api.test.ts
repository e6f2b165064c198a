// lib/validate/index.ts is the package's `./validate` entry point: a tool can depend on it without pulling in the
// constructs, the CLIs or the ops code (STYLE.md: imports point one way).
import { execFileSync } from 'child_process';
import * as path from 'path';
import * as api from '../lib/validate';

const ROOT = path.join(__dirname, '..');

test('exports the validator, its findings, cache and rule tables', () => {
  expect(Object.keys(api).sort()).toEqual(['CannotRunError', 'LLMISVC_RULES', 'PITFALL_RULES', 'SECURITY_RULES', 'ValidationCache', 'Validator', 'decodeYaml',
    'formatFinding', 'readDocuments', 'validatePaths']);
});

test('loads no construct, CLI or ops code, and neither cdk8s nor constructs', () => {
  // What a fresh process really loads (type-only imports are erased), not what the sources mention.
  const loaded: string[] = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '-e',
    "require('./lib/validate/index.ts'); console.log(JSON.stringify(Object.keys(require.cache)))"], { cwd: ROOT, encoding: 'utf8' }));
  const relative = loaded.map(f => path.relative(ROOT, f));
  expect(relative.filter(f => /^node_modules\/(cdk8s|constructs|cdk8s-plus-\d+)\/|^lib\/(app|cli|ops|presets)\/|^lib\/(stack|synthesizer|index)\.ts$|^main\.ts$/.test(f))).toEqual([]);
  expect(relative).toContain(path.join('lib', 'validate', 'validator.ts'));
});

test('validating built-in kinds loads no schema or CEL machinery for custom resources', () => {
  const script = "const fs = require('fs'); const os = require('os'); const path = require('path');" +
    "const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazy-')); fs.writeFileSync(path.join(dir, 'ns.yaml'), 'apiVersion: v1\\nkind: Namespace\\nmetadata: {name: a}\\n');" +
    "const { Validator, ValidationCache } = require('./lib/validate/index.ts');" +
    "const r = new Validator({ resolver: null, cache: ValidationCache.disabled() }).validatePaths([dir]);" +
    "console.log(JSON.stringify({ ok: r.ok, loaded: Object.keys(require.cache) }))";
  const { ok, loaded } = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8' }));
  expect(ok).toBe(true);
  expect((loaded as string[]).filter(f => /@bufbuild\/(cel|re2)|lib\/validate\/(structural|cel\/)/.test(f))).toEqual([]);
});
