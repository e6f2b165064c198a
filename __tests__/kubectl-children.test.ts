// A --timeout holds whatever kubectl leaves behind: wrappers and credential plugins that fork, hold its pipes open,
// or flood its output. Each fake kubectl records the pids it starts, and every test kills them all at the end.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runDeploy } from '../lib/cli/deploy';
import { runDestroy } from '../lib/cli/destroy';
import { MAX_TIMER_MS, parseDuration } from '../lib/ops/args';
import { BoundedText, runChild } from '../lib/ops/child-process';
import { SMALL_STACK } from './deploy-helpers';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-children-'));
const pidFile = path.join(work, 'pids');

/** A fake kubectl: a shell script whose background processes append their pids to `pids`. */
function fakeKubectl(name: string, body: string): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, `#!/bin/sh\necho $$ >> ${pidFile}\n${body}\n`, { mode: 0o755 });
  return file;
}

const pids = () => (fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8').split(/\s+/).filter(Boolean).map(Number) : []);
/** Running (a zombie, dead but not yet reaped by init, does not count). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/** The recorded pids still running once the kernel has had up to 5 s to finish killing them (a kill is not instant). */
async function survivors(): Promise<number[]> {
  for (let i = 0; i < 100 && pids().some(alive); i++) await new Promise(r => setTimeout(r, 50));
  return pids().filter(alive);
}

afterEach(() => {
  for (const pid of pids()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
  fs.rmSync(pidFile, { force: true });
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A kubectl that hangs, with a child that holds its stdout and stderr open: a wrapper waiting on a plugin. */
const HANGS_WITH_CHILD = 'sleep 60 & echo $! >> PIDS\nwait\n';

describe('a kubectl call under a time limit', () => {
  test('kills kubectl\'s whole process group when its time is up, and returns within a second of the limit', async () => {
    const bin = fakeKubectl('hangs', HANGS_WITH_CHILD.replace('PIDS', pidFile));
    const started = Date.now();
    const r = await runChild(bin, [], { timeoutMs: 300 });
    expect(r.killed).toBe(true);
    expect(Date.now() - started).toBeLessThan(300 + 1000 + 2000); // + a loaded machine's slack
    expect(pids()).toHaveLength(2);
    expect(await survivors()).toEqual([]);
  });

  test('returns when kubectl exits, though a child it left behind holds the pipes, and that child goes with it', async () => {
    const bin = fakeKubectl('forks', `sleep 60 & echo $! >> ${pidFile}\necho applied\nexit 0`);
    const r = await runChild(bin, []);
    expect(r).toEqual({ code: 0, stdout: 'applied\n', stderr: '', killed: false });
    expect(await survivors()).toEqual([]);
  });

  test('returns when kubectl exits, though a process outside its group (setsid) holds the pipes', async () => {
    const bin = fakeKubectl('escapes', `setsid sleep 60 & echo $! >> ${pidFile}\necho escaped\nexit 3`);
    const r = await runChild(bin, []);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('escaped\n');
  });

  test('keeps the head and the tail of a flood of output, and says how much it left out', async () => {
    const bin = fakeKubectl('floods', 'head -c 20000000 /dev/zero | tr "\\0" x >&2\necho "the last line" >&2\nexit 1');
    const r = await runChild(bin, [], { maxStderr: 1000 });
    expect(r.code).toBe(1);
    expect(r.stderr.length).toBeLessThan(1100);
    expect(r.stderr).toMatch(/^x{500}\n\[\.\.\. 19999\d{3} characters left out \.\.\.\]\nx+the last line\n$/);
  });

  test('bounded text keeps everything up to its bound', () => {
    const t = new BoundedText(10);
    t.append('abc');
    t.append('defghij');
    expect(t.toString()).toBe('abcdefghij');
    t.append('k');
    expect(t.toString()).toBe('abcde\n[... 1 characters left out ...]\nghijk');
  });
});

describe('deploy and destroy with a kubectl that leaves children', () => {
  for (const [name, run] of [['deploy', runDeploy], ['destroy', (argv: string[], env: NodeJS.ProcessEnv, out: (s: string) => void) => runDestroy(['--yes', ...argv], env, out, async () => true, 1)]] as const) {
    test(`${name} stops at its --timeout, says what was still running, and leaves no process behind`, async () => {
      const bin = fakeKubectl(`${name}-hangs`, HANGS_WITH_CHILD.replace('PIDS', pidFile));
      let out = '';
      const started = Date.now();
      const code = await (run as typeof runDeploy)(['--timeout', '1s'], { KUBECTL: bin, CDK8S_OUTDIR: SMALL_STACK }, s => (out += s));
      expect(code).toBe(1);
      expect(out).toMatch(/FAILED: [\s\S]*killed when --timeout 1s ran out/);
      expect(Date.now() - started).toBeLessThan(1000 + 1000 + 2000);
      expect(await survivors()).toEqual([]);
    });
  }

  test.each(['600h', '0s', '5'])('refuses --timeout %s with a clear message before running anything', async value => {
    let out = '';
    const code = await runDeploy(['--timeout', value], { KUBECTL: '/nonexistent', CDK8S_OUTDIR: SMALL_STACK }, s => (out += s));
    expect(code).toBe(2);
    expect(out).toMatch(/^deploy: --timeout must be /);
  });

  test('a duration is checked against the longest timer Node supports', () => {
    expect(parseDuration('timeout', '596h')).toBe(596 * 3_600_000);
    expect(596 * 3_600_000).toBeLessThanOrEqual(MAX_TIMER_MS);
    expect(() => parseDuration('timeout', '597h')).toThrow('--timeout must be at most 596h (about 24.8 days, the longest timer Node supports), got "597h"');
  });
});
