/**
 * `npm run import`: regenerates imports/ from the CRD URLs listed in cdk8s.yaml.
 *
 * `cdk8s import` itself would download each URL; we resolve every URL through the upstream resolver instead
 * (mirror, cache, verified download), hand `cdk8s import` the verified local copy under the same module name,
 * and stamp each generated file with the URL and sha256 it came from.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { artifactByUrl, UpstreamArtifact } from '../upstream/artifacts';
import { UpstreamResolver } from '../upstream/resolver';
import { CommandDoc, runDocumentedMain } from './command';
import { writeBuiltinFieldData } from './import-k8s-schemas';

/** `npm run import`'s description: its --help. */
export const IMPORT: CommandDoc = {
  command: 'npm run import',
  summary: 'Regenerates imports/ from the CRD URLs listed in cdk8s.yaml, each read through the upstream resolver (mirror,\n' +
    'cache, verified download) and stamped with its URL and sha256; then the built-in kinds\' field lists.',
  flags: [],
  env: [['UPSTREAM_MIRROR', 'a directory mirroring the upstream files by URL'], ['UPSTREAM_OFFLINE', 'when 1, never download']],
  exit: ['0  imports/ regenerated', '1  a CRD could not be had or cdk8s import failed', '2  bad arguments'],
  examples: ['npm run import && git diff --stat imports/'],
};

const root = path.resolve(__dirname, '..', '..');

interface ImportSpec {
  readonly moduleName: string;
  readonly artifact: UpstreamArtifact;
}

function readSpecs(): ImportSpec[] {
  const config = YAML.parse(fs.readFileSync(path.join(root, 'cdk8s.yaml'), 'utf8'));
  return (config.imports as string[]).map(entry => {
    const [moduleName, url] = entry.split(':=');
    if (!moduleName || !url) throw new Error(`cdk8s.yaml: import "${entry}" must be "<module>:=<url>" so same-group CRDs do not overwrite each other`);
    const artifact = artifactByUrl(url);
    if (!artifact) throw new Error(`cdk8s.yaml: ${url} is not pinned in lib/upstream/artifacts.ts; add its sha256 there first`);
    return { moduleName, artifact };
  });
}

async function main(): Promise<void> {
  const specs = readSpecs();
  const resolver = UpstreamResolver.default();
  await resolver.ensure(specs.map(s => s.artifact));

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-import-'));
  const outdir = path.join(work, 'out');
  try {
    for (const s of specs) {
      // One spec per call: the CLI handles a single local-file spec per invocation.
      const file = path.join(work, `${s.moduleName}.yaml`);
      fs.writeFileSync(file, resolver.read(s.artifact));
      execFileSync(path.join(root, 'node_modules', '.bin', 'cdk8s'),
        ['import', '--no-check-upgrade', `${s.moduleName}:=${file}`, '--language', 'typescript', '--output', outdir],
        { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
      const generated = fs.readdirSync(outdir).filter(f => f.startsWith(`${s.moduleName}-`) && f.endsWith('.ts'));
      if (generated.length !== 1) throw new Error(`expected one generated file for ${s.moduleName}, found ${generated.join(', ') || 'none'}`);
      const body = fs.readFileSync(path.join(outdir, generated[0]), 'utf8');
      const header = `// source: ${s.artifact.url}\n// sha256: ${s.artifact.sha256}\n// Regenerate with \`npm run import\`; do not edit.\n`;
      fs.writeFileSync(path.join(root, 'imports', `${s.moduleName}.ts`), header + body);
      process.stdout.write(`imports/${s.moduleName}.ts <- ${s.artifact.url}\n`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  // Field lists of built-in kinds, for the validator's unknown-field checks.
  const data = writeBuiltinFieldData();
  process.stdout.write(`imports/k8s-builtin-fields.json <- ${data.source.package}@${data.source.version}\n`);
}

runDocumentedMain('import', IMPORT, () => main());
