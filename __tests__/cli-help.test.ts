// Every command answers --help (flags, defaults, environment, exit codes, an example), its help and its parser come
// from one description, and no command ends in a stack trace: not on a closed pipe, not on an error it did not expect.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BENCH } from '../lib/cli/bench';
import { CommandDoc, flagSpec, helpText, internalError } from '../lib/cli/command';
import { DEPLOY, runDeploy } from '../lib/cli/deploy';
import { DESTROY, runDestroy } from '../lib/cli/destroy';
import { FETCH } from '../lib/cli/fetch';
import { KEYS_COMMANDS, KEYS_HELP, runKeys } from '../lib/cli/keys';
import { runSmokeCli, SMOKE } from '../lib/cli/smoke';
import { runSynthCli, SYNTH } from '../lib/cli/synth';
import { runTenantSmokeCli, TENANT_SMOKE } from '../lib/cli/tenant-smoke';
import { runValidate, VALIDATE } from '../lib/cli/validate';
import { DIFFERENTIAL } from '../test/differential/run';

const repo = path.join(__dirname, '..');

async function captured(run: (out: (s: string) => void) => number | Promise<number>): Promise<{ code: number; out: string }> {
  let out = '';
  const write = process.stdout.write;
  // synth writes its help to process.stdout itself
  process.stdout.write = ((s: string) => { out += s; return true; }) as typeof process.stdout.write;
  try {
    const code = await run(s => (out += s));
    return { code, out };
  } finally {
    process.stdout.write = write;
  }
}

const inProcess: [string, CommandDoc, (argv: string[], out: (s: string) => void) => number | Promise<number>][] = [
  ['synth', SYNTH, argv => runSynthCli({ profile: 'guide' }, undefined, argv, {})],
  ['validate', VALIDATE, (argv, out) => runValidate(argv, out, out)],
  ['deploy', DEPLOY, (argv, out) => runDeploy(argv, {}, out)],
  ['destroy', DESTROY, (argv, out) => runDestroy(argv, {}, out)],
  ['smoke', SMOKE, (argv, out) => runSmokeCli(argv, {}, out, out)],
  ['smoke:tenants', TENANT_SMOKE, (argv, out) => runTenantSmokeCli(argv, {}, out, out)],
  ...(Object.entries(KEYS_COMMANDS) as [string, CommandDoc][]).map(([sub, doc]) =>
    [`keys ${sub}`, doc, (argv: string[], out: (s: string) => void) => runKeys([sub, ...argv], { out, err: out }, {})] as [string, CommandDoc, (argv: string[], out: (s: string) => void) => number]),
];

describe('--help', () => {
  test.each(inProcess)('%s --help prints its description, every flag its parser takes, and exits 0', async (_name, doc, run) => {
    for (const flag of ['--help', '-h']) {
      const r = await captured(out => run([flag], out));
      expect(r).toEqual({ code: 0, out: helpText(doc) });
    }
    const text = helpText(doc);
    const spec = flagSpec(doc);
    for (const f of [...spec.values, ...spec.flags]) expect(text).toMatch(new RegExp(`^  --${f}\\b`, 'm'));
    for (const section of ['Usage:', 'Flags:', 'Exit codes:', 'Example']) expect(text).toContain(section);
  });

  test('keys --help lists its subcommands; keys add --help is add\'s own', async () => {
    expect(await captured(out => runKeys(['--help'], { out, err: out }, {}))).toEqual({ code: 0, out: KEYS_HELP });
    expect(KEYS_HELP).toMatch(/^ {2}add {5}Issues an API key/m);
  });

  test('every npm script that runs a command of ours answers --help with exit 0', () => {
    const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')).scripts;
    // jest's own, and the typecheck, have their runners' help; the rest are ours.
    const runners = new Set(['test', 'test:slow', 'test:cluster', 'typecheck', 'prepack']);
    const inProcessNames = new Set(inProcess.map(([n]) => n.split(' ')[0]));
    const spawned: Record<string, CommandDoc | undefined> = { fetch: FETCH, bench: BENCH, import: undefined, build: undefined, docs: undefined, 'test:docs': undefined, 'test:consumer': undefined, cluster: undefined, 'test:differential': DIFFERENTIAL };
    expect(Object.keys(scripts).filter(s => !runners.has(s) && !inProcessNames.has(s) && !(s in spawned))).toEqual([]);
    // The rest run in a process of their own, as npm runs them (through tsx where the script does).
    const entry: Record<string, string[]> = {
      fetch: ['lib/cli/fetch.ts'], bench: ['lib/cli/bench.ts'], import: ['lib/cli/import.ts'], build: ['scripts/build.js'], docs: ['scripts/docs.mjs'], 'test:docs': ['scripts/docs.mjs', '--check'],
      'test:consumer': ['test/consumer/run.ts'], cluster: ['test/cluster/cli.ts'], 'test:differential': ['test/differential/run.ts'],
    };
    for (const [name, args] of Object.entries(entry).filter(([n]) => n in scripts)) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', ...args, '--help'], { cwd: repo, encoding: 'utf8' });
      expect({ name, status: r.status, stderr: r.stderr }).toEqual({ name, status: 0, stderr: '' });
      expect(r.stdout).toMatch(/Usage: /);
      if (spawned[name]) expect(r.stdout).toBe(helpText(spawned[name]!));
    }
  }, 60_000);
});

describe('no stack traces', () => {
  test('a command whose output pipe closes (| head) ends quietly with exit 0', async () => {
    const dir = fs.mkdtempSync(path.join(repo, '.cache', 'epipe-'));
    const probe = path.join(dir, 'probe.ts');
    fs.writeFileSync(probe, `import { runMain } from '../../lib/cli/command';\nrunMain('probe', () => { for (let i = 0; i < 200000; i++) process.stdout.write('line ' + i + '\\n'); return 0; });\n`);
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', probe], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', d => (stderr += d));
      child.stdout.once('data', () => child.stdout.destroy());
      const code = await new Promise<number | null>(done => child.on('close', c => done(c)));
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  test('an error nobody expected is one line; DEBUG=1 adds the stack', () => {
    const e = new TypeError("Cannot read properties of null (reading 'name')");
    const saved = process.env.DEBUG;
    delete process.env.DEBUG;
    try {
      expect(internalError('deploy', e)).toBe("deploy: internal error: Cannot read properties of null (reading 'name') (run with DEBUG=1 for the stack)\n");
      process.env.DEBUG = '1';
      expect(internalError('deploy', e)).toMatch(/^deploy: internal error: .*\nTypeError: .*\n {4}at /);
    } finally {
      if (saved === undefined) delete process.env.DEBUG;
      else process.env.DEBUG = saved;
    }
  });

  test('a project that does not compile: tsc\'s message and one line saying what to do, exit 2, no stack', () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'run-js-'));
    fs.mkdirSync(path.join(copy, 'scripts'));
    fs.copyFileSync(path.join(repo, 'scripts', 'run.js'), path.join(copy, 'scripts', 'run.js'));
    // A build that fails as tsc does: its diagnostics on stdout, exit 2.
    fs.writeFileSync(path.join(copy, 'scripts', 'build.js'), "process.stdout.write(\"main.ts(13,3): error TS2322: Type '\\\"gold\\\"' is not assignable to type 'ProfileName'.\\n\"); process.exit(2);\n");
    for (const p of ['main.ts', 'lib', 'imports', 'tsconfig.json', 'tsconfig.build.json']) {
      if (p.endsWith('.ts') || p.endsWith('.json')) fs.writeFileSync(path.join(copy, p), '');
      else fs.mkdirSync(path.join(copy, p));
    }
    const r = spawnSync(process.execPath, [path.join(copy, 'scripts', 'run.js'), 'main'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toContain("error TS2322: Type '\"gold\"' is not assignable to type 'ProfileName'.");
    expect(r.stderr).toBe('first run: npm run build ...\n\nThe project does not compile, so main cannot run: fix the errors above (in main.ts or lib/) and run it again.\n');
  });

  test('commands started together on a stale build build it once; the others wait for it', async () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'run-js-'));
    fs.mkdirSync(path.join(copy, 'scripts'));
    fs.copyFileSync(path.join(repo, 'scripts', 'run.js'), path.join(copy, 'scripts', 'run.js'));
    // A build that takes a while, counts itself, and leaves an entry that prints "ran".
    fs.writeFileSync(path.join(copy, 'scripts', 'build.js'), `const fs = require('fs'), path = require('path');
fs.appendFileSync(path.join(__dirname, '..', 'builds'), 'x');
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
fs.mkdirSync(path.join(__dirname, '..', 'build'), { recursive: true });
fs.writeFileSync(path.join(__dirname, '..', 'build', 'entry.js'), "process.stdout.write('ran\\\\n');");
fs.writeFileSync(path.join(__dirname, '..', 'build', '.built'), 'now');
`);
    for (const p of ['main.ts', 'tsconfig.json', 'tsconfig.build.json']) fs.writeFileSync(path.join(copy, p), '');
    for (const d of ['lib', 'imports']) fs.mkdirSync(path.join(copy, d));
    const runs = await Promise.all([1, 2, 3, 4].map(() => new Promise<{ code: number | null; out: string }>(done => {
      const c = spawn(process.execPath, [path.join(copy, 'scripts', 'run.js'), 'entry'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      c.stdout.on('data', d => (out += d));
      c.on('close', code => done({ code, out }));
    })));
    expect(runs).toEqual(Array(4).fill({ code: 0, out: 'ran\n' }));
    expect(fs.readFileSync(path.join(copy, 'builds'), 'utf8')).toBe('x');
  }, 30_000);
});
