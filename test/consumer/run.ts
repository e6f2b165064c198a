/**
 * The consumer test (`npm run test:consumer`): uses the package the way a new user does. It packs this package,
 * creates a project with `cdk8s init typescript-app` (the cdk8s-cli of our devDependencies), installs the tarball,
 * writes the charts of test/consumer/project/ into it, type-checks them with the template's own tsconfig, runs the
 * template's `cdk8s synth`, and compares the objects written with this repo's own renderer on the same charts.
 *
 * Network: the npm registry only (the template's `npm install`, `npm install <tarball>`). The template's last
 * step, `npm run import`, downloads the Kubernetes schema from GitHub and fails offline once the project is laid
 * out; that failure is expected and checked for. Upstream files come from UPSTREAM_MIRROR (default: the mirror
 * beside the checkout, as .ci/run derives it).
 *
 * Env: UPSTREAM_MIRROR; CONSUMER_KEEP=1 keeps the work directory (it is always kept on failure).
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compareObjects, readObjects, ReadObject } from './compare';
import { checkConsumerOutput } from './expectations';

if (process.argv.slice(2).some(a => a === '--help' || a === '-h')) {
  process.stdout.write(`Packs this package, installs it into a fresh \`cdk8s init typescript-app\` project, compiles the charts of
test/consumer/project/ (and the README's "own chart" example next to the template's own test) with the template's
tsconfig, runs its \`cdk8s synth\`, and compares the objects with this repo's renderer.

Usage: npm run test:consumer

Environment:
  UPSTREAM_MIRROR  the mirror of pinned upstream files (default: ../shared/upstream)
  CONSUMER_KEEP    1 keeps the work directory (always kept on failure)

Exit codes:
  0  every check passed
  1  a check failed (each is listed)

Example:
  CONSUMER_KEEP=1 npm run test:consumer
`);
  process.exit(0);
}

const repo = path.resolve(__dirname, '..', '..');
const PACKAGE = 'kserve-agentgateway-stack';
const TEMPLATE = 'typescript-app';
const templateDir = path.join(repo, 'node_modules', 'cdk8s-cli', 'templates', TEMPLATE);

class StepFailure extends Error {}

/** Failures that do not stop the later steps (each is reported; any of them fails the test). */
const failures: string[] = [];

const timings: { step: string; seconds: number }[] = [];
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-test-'));
const logs = path.join(work, 'logs');
fs.mkdirSync(logs);

const mirror = path.resolve(process.env.UPSTREAM_MIRROR || path.join(repo, '..', 'shared', 'upstream'));
const env = childEnv({
  UPSTREAM_MIRROR: mirror,
  UPSTREAM_OFFLINE: '1',
  // An empty cache: every upstream byte must come from the mirror.
  UPSTREAM_CACHE: path.join(work, 'upstream-cache'),
  // Every cdk8s command first asks the registry for a newer cdk8s-cli over plain http; that is noise, not the test.
  CDK8S_CHECK_UPGRADE: 'false',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
});

function main(): void {
  if (!fs.existsSync(mirror)) {
    throw new StepFailure(`UPSTREAM_MIRROR is ${mirror}, which does not exist: point it at the upstream mirror ` +
      '(laid out as <host>/<path>, e.g. ../shared/upstream beside the checkout)');
  }
  log(`work directory ${work}; upstream mirror ${mirror}`);

  const tarball = step('build and pack', () => buildAndPack());
  const project = path.join(work, 'app');
  step(`cdk8s init ${TEMPLATE}`, () => initProject(project));
  step('npm install <tarball>', () => installTarball(project, tarball));
  step('load the entry points (node, no mirror)', () => checkEntryPoints(project));
  step("README example beside the template's main.test.ts", () => writeReadmeExample(project));
  step('write charts', () => writeCharts(project));
  step('tsc --noEmit (template tsconfig)', () => {
    const r = run('tsc', 'npx', ['tsc', '--noEmit'], { cwd: project, allowFailure: true });
    if (r.status !== 0) fail(`the charts or the README example do not type-check under the template's tsconfig (see ${r.logFile}):\n${tail(r.output)}`);
  });
  step("the template's main.test.ts on the README example (npx jest -u, as the README says)", () => runTemplateTest(project));
  step('cdk8s synth (template, ts-node)', () => {
    run('synth', 'npm', ['run', 'synth'], { cwd: project });
  });
  const referenceDir = path.join(work, 'reference');
  const referenced = step('reference synth (this repo, renderApp)', () => {
    const r = run('reference', path.join(repo, 'node_modules', '.bin', 'tsx'), [path.join(__dirname, 'reference.ts'), referenceDir],
      { cwd: repo, allowFailure: true });
    if (r.status !== 0) fail(`this project's own synth of the same charts failed (see ${r.logFile}):\n${tail(r.output)}`);
    return r.status === 0;
  });
  if (referenced) step('compare objects', () => compare(path.join(project, 'dist'), referenceDir));
  else step('check consumer objects', () => checkExpectations(readObjects(path.join(project, 'dist'))));
}

/** `npm run build`, then `npm pack` into the work directory; returns the tarball's path. */
function buildAndPack(): string {
  run('build', 'npm', ['run', 'build'], { cwd: repo });
  // The package's prepack builds again; it was just built, so pack what is there.
  const out = run('pack', 'npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: repo });
  const packed = JSON.parse(out.stdout.slice(out.stdout.indexOf('[')));
  const tarball = path.join(work, packed[0].filename);
  if (!fs.existsSync(tarball)) throw new StepFailure(`npm pack reported ${packed[0].filename}, but ${tarball} does not exist`);
  log(`  ${packed[0].filename}: ${packed[0].entryCount} files, ${Math.round(packed[0].size / 1024)} KiB`);
  return tarball;
}

/**
 * `cdk8s init typescript-app` in an empty directory. Its post hook runs `npm install`, then `npm run import`,
 * which needs raw.githubusercontent.com; offline that fails and the hook stops there (before compile, test and
 * synth). Anything else failing, or a project not laid out, is a failure.
 */
function initProject(project: string): void {
  fs.mkdirSync(project);
  const cdk8s = path.join(repo, 'node_modules', '.bin', 'cdk8s');
  const result = run('init', cdk8s, ['init', TEMPLATE], { cwd: project, allowFailure: true, timeoutMs: 240_000 });
  const missing = ['package.json', 'tsconfig.json', 'cdk8s.yaml', 'main.ts',
    'node_modules/cdk8s/package.json', 'node_modules/constructs/package.json', 'node_modules/cdk8s-plus-33/package.json',
    'node_modules/typescript/package.json', 'node_modules/ts-node/package.json', 'node_modules/cdk8s-cli/package.json',
  ].filter(f => !fs.existsSync(path.join(project, f)));
  if (missing.length > 0) {
    throw new StepFailure(`cdk8s init did not lay out the project (missing ${missing.join(', ')}); ` +
      `exit ${result.status}, see ${result.logFile}\n${tail(result.output)}`);
  }
  if (result.status !== 0) {
    if (!/Command failed: npm run import/.test(result.output)) {
      throw new StepFailure(`cdk8s init failed before or after its import step (exit ${result.status}); see ${result.logFile}\n${tail(result.output)}`);
    }
    log('  npm run import failed, as expected offline (it downloads the Kubernetes schema); the project is laid out');
  }
  const pkg = readJson(path.join(project, 'package.json'));
  const versions = ['cdk8s', 'constructs', 'cdk8s-plus-33', 'cdk8s-cli', 'typescript', 'ts-node', '@types/node']
    .map(m => `${m} ${readJson(path.join(project, 'node_modules', m, 'package.json')).version}`);
  log(`  ${pkg.name}: ${versions.join(', ')}`);
  log(`  tsconfig.json: ${JSON.stringify(readJson(path.join(project, 'tsconfig.json')).compilerOptions)}`);
  log(`  cdk8s.yaml: ${fs.readFileSync(path.join(project, 'cdk8s.yaml'), 'utf8').trim().replace(/\n\s*/g, '; ')}`);
}

/** `npm install <tarball>`; then one copy of cdk8s, constructs and cdk8s-plus-28, the project's (they are peer dependencies). */
function installTarball(project: string, tarball: string): void {
  run('install', 'npm', ['install', tarball], { cwd: project });
  const installed = path.join(project, 'node_modules', PACKAGE);
  if (!fs.existsSync(path.join(installed, 'package.json'))) throw new StepFailure(`npm install did not install ${PACKAGE} into ${installed}`);
  for (const peer of ['cdk8s', 'constructs', 'cdk8s-plus-28']) {
    const theirs = require.resolve(`${peer}/package.json`, { paths: [installed] });
    const ours = require.resolve(`${peer}/package.json`, { paths: [project] });
    if (theirs !== ours) {
      throw new StepFailure(`${PACKAGE} resolves its own copy of ${peer} (${theirs}), not the project's (${ours}): ` +
        'two copies mean "not assignable to Construct" and a crash at synth; make it a peer dependency');
    }
  }
}

/**
 * Requires each entry point in the project with no upstream mirror: the constructs must load without the
 * validator, the CLIs or ops code (and their dependencies), and `./validate` must load on its own.
 */
function checkEntryPoints(project: string): void {
  const script = `
    const before = new Set(Object.keys(require.cache));
    require('${PACKAGE}');
    const loaded = Object.keys(require.cache).filter(f => !before.has(f));
    let validate;
    try { require('${PACKAGE}/validate'); } catch (e) { validate = e.message.split('\\n')[0]; }
    console.log(JSON.stringify({ loaded, validate }));`;
  const out = run('entry-points', process.execPath, ['-e', script], { cwd: project, env: { UPSTREAM_MIRROR: '', UPSTREAM_CACHE: path.join(work, 'no-cache') } });
  const { loaded, validate } = JSON.parse(out.stdout.trim().split('\n').pop()!) as { loaded: string[]; validate?: string };
  const wrong = loaded.filter(f => /[\\/]build[\\/]lib[\\/](validate|cli|ops)[\\/]|[\\/]node_modules[\\/]@bufbuild[\\/]/.test(f));
  if (wrong.length > 0) {
    fail(`require('${PACKAGE}') loads validator, CLI or ops code:\n  ${wrong.map(f => path.relative(project, f)).join('\n  ')}`);
  } else {
    log(`  require('${PACKAGE}') loads ${loaded.length} modules, none of validate/, cli/, ops/`);
  }
  if (validate) fail(`require('${PACKAGE}/validate') fails: ${validate}`);
  else log(`  require('${PACKAGE}/validate') loads`);
}

/** Where the README's example goes: beside the template's main.test.ts, as a reader who pastes it has them. */
const README_EXAMPLE_DIR = 'readme-example';

/**
 * Lays out what a reader has after pasting the README's example over the template's main.ts: the example as
 * main.ts beside the template's main.test.ts (which imports `MyChart` from './main') and its snapshot, unchanged,
 * in a directory of their own (the template's tsconfig compiles every .ts file under the project).
 */
function writeReadmeExample(project: string): void {
  const dir = path.join(project, README_EXAMPLE_DIR);
  fs.mkdirSync(dir);
  for (const f of ['main.test.ts', '__snapshots__']) {
    if (!fs.existsSync(path.join(project, f))) throw new StepFailure(`cdk8s init wrote no ${f}; the template changed (see ${templateDir})`);
    fs.cpSync(path.join(project, f), path.join(dir, f), { recursive: true });
  }
  fs.copyFileSync(path.join(repo, 'examples', 'main.ts'), path.join(dir, 'main.ts'));
}

/**
 * Runs the template's test on the README example as the README tells the reader to (`npx jest -u`, which records
 * the chart's snapshot in place of the template's empty one): it compiles under ts-jest and synthesizes.
 */
function runTemplateTest(project: string): void {
  const outdir = path.join(work, 'readme-example-dist'); // main.ts's own app.synth() runs on import
  const r = run('template-test', 'npx', ['jest', '-u', '--ci=false', README_EXAMPLE_DIR], { cwd: project, allowFailure: true, env: { CDK8S_OUTDIR: outdir } });
  if (r.status !== 0) {
    fail(`the template's main.test.ts fails on the README example (see ${r.logFile}):\n${tail(r.output)}`);
    return;
  }
  const snapshot = fs.readFileSync(path.join(project, README_EXAMPLE_DIR, '__snapshots__', 'main.test.ts.snap'), 'utf8');
  if (!/"kind": "AgentgatewayPolicy"/.test(snapshot)) fail(`the template's test recorded no AgentgatewayPolicy of MyChart:\n${tail(snapshot)}`);
  else log(`  MyChart's snapshot recorded (${(snapshot.match(/"kind": /g) ?? []).length} objects)`);
}

/**
 * Copies test/consumer/project/ over the template, replacing its main.ts. The template's main.test.ts and its
 * snapshot test the template's placeholder chart, which main.ts no longer has, so they go (with what an online
 * init compiled and synthesized from it). The tsconfig stays as
 * the template wrote it (checked against the template's own file).
 */
function writeCharts(project: string): void {
  const tsconfig = path.join(project, 'tsconfig.json');
  if (sha256(tsconfig) !== sha256(path.join(templateDir, 'tsconfig.json'))) {
    throw new StepFailure(`${tsconfig} is not the template's tsconfig.json as shipped in ${templateDir}`);
  }
  // Online, the hook also compiled, tested and synthesized the placeholder; its outputs go with it.
  for (const f of ['main.test.ts', '__snapshots__', 'main.js', 'main.d.ts', 'main.test.js', 'main.test.d.ts', 'dist']) {
    fs.rmSync(path.join(project, f), { recursive: true, force: true });
  }
  fs.cpSync(path.join(__dirname, 'project'), project, { recursive: true });
}

function compare(consumerDist: string, referenceDir: string): void {
  const actual = readObjects(consumerDist);
  const expected = readObjects(referenceDir);
  if (expected.length === 0) throw new StepFailure('the reference synth wrote no objects; nothing was compared');
  const differences = compareObjects(actual, expected, { actual: 'consumer dist/', expected: 'reference' });
  if (differences.length > 0) {
    fail(`the consumer's cdk8s synth and this project's synth differ (${differences.length} differences; ` +
      `consumer ${consumerDist}, reference ${referenceDir}):\n  ${differences.slice(0, 80).join('\n  ')}` +
      (differences.length > 80 ? `\n  ... and ${differences.length - 80} more` : ''));
  } else {
    log(`  ${actual.length} objects, equal on both sides (${summary(actual)})`);
  }
  checkExpectations(actual);
}

function checkExpectations(actual: readonly ReadObject[]): void {
  const problems = checkConsumerOutput(actual);
  if (problems.length > 0) fail(`the consumer's objects are not what the charts ask for:\n  ${problems.join('\n  ')}`);
}

function summary(objects: readonly ReadObject[]): string {
  const kinds = new Map<string, number>();
  for (const o of objects) kinds.set(o.object.kind, (kinds.get(o.object.kind) ?? 0) + 1);
  return [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, n]) => `${n} ${k}`).join(', ') + ', ...';
}

interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly output: string;
  readonly logFile: string;
}

/** Runs a command, logging its output to logs/<name>.log; throws on a non-zero exit unless allowed. */
function run(name: string, cmd: string, args: string[],
  options: { cwd: string; allowFailure?: boolean; timeoutMs?: number; env?: Record<string, string> }): RunResult {
  const r = spawnSync(cmd, args, {
    cwd: options.cwd, env: { ...env, ...options.env }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: options.timeoutMs ?? 120_000,
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const logFile = path.join(logs, `${name}.log`);
  fs.writeFileSync(logFile, `$ ${cmd} ${args.join(' ')}  (in ${options.cwd})\n${r.stdout ?? ''}\n--- stderr\n${r.stderr ?? ''}`);
  if (r.error) throw new StepFailure(`${cmd} ${args.join(' ')} could not run: ${r.error.message}; see ${logFile}`);
  if (r.status !== 0 && !options.allowFailure) {
    throw new StepFailure(`${cmd} ${args.join(' ')} failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}) in ${options.cwd}; ` +
      `full log ${logFile}\n${tail(output)}`);
  }
  return { status: r.status, stdout: r.stdout ?? '', output, logFile };
}

function fail(message: string): void {
  failures.push(message);
  log(`  FAILED: ${message.split('\n')[0]}`);
}

function step<T>(name: string, body: () => T): T {
  const start = process.hrtime.bigint();
  log(`▶ ${name}`);
  try {
    return body();
  } finally {
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    timings.push({ step: name, seconds });
    log(`  (${seconds.toFixed(1)} s)`);
  }
}

/** The environment for every child: ours, without the outer npm's per-run variables (its prefix is this repo). */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_(package_|lifecycle_|command$|config_local_prefix$)/.test(k) || k === 'INIT_CWD') continue;
    e[k] = v;
  }
  return { ...e, ...extra };
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).map(l => `    | ${l}`).join('\n');
}

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function report(): void {
  const total = timings.reduce((n, t) => n + t.seconds, 0);
  log(`\ntimings: ${timings.map(t => `${t.step} ${t.seconds.toFixed(1)} s`).join('; ')}; total ${total.toFixed(1)} s`);
}

try {
  main();
  if (failures.length > 0) throw new StepFailure(failures.join('\n\n'));
  report();
  if (process.env.CONSUMER_KEEP === '1') log(`kept ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
  log('consumer test passed');
} catch (err) {
  report();
  const message = err instanceof StepFailure ? err.message : (err as Error).stack ?? String(err);
  process.stderr.write(`\nconsumer test FAILED: ${message}\n(work directory kept: ${work})\n`);
  process.exit(1);
}
