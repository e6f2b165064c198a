import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makeDirs, readSmallFile } from '../lib/shared/durable-file';
import { LockTimeoutError, withFileLock } from '../lib/shared/file-lock';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'file-lock-test-'));
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;
/** A clock that moves only when the lock waits, so a timeout is reached without real waiting. */
const fakeTime = () => {
  let t = 0;
  return { now: () => t, sleep: (ms: number) => { t += ms; } };
};

describe('withFileLock', () => {
  test('runs the function holding <file>.lock and removes the lock afterwards, also when the function throws', () => {
    const file = path.join(tmp(), 'f');
    expect(withFileLock(file, () => JSON.parse(fs.readFileSync(`${file}.lock`, 'utf8')).pid)).toBe(process.pid);
    expect(() => withFileLock(file, () => { throw new Error('boom'); })).toThrow('boom');
    expect(fs.readdirSync(path.dirname(file))).toEqual([]);
  });

  test('never takes over the lock of a process on another host, whose pid means nothing here', () => {
    const file = path.join(tmp(), 'f');
    fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: deadPid(), host: 'other-host', command: 'x', since: 's' }));
    expect(() => withFileLock(file, () => 1, { timeoutMs: 1000, ...fakeTime() })).toThrow(LockTimeoutError);
    expect(() => withFileLock(file, () => 1, { timeoutMs: 1000, ...fakeTime() })).toThrow(/held by pid \d+ on host other-host \(x, since s\)/);
  });

  test('waits on a lock it cannot read rather than guess, and says so', () => {
    const file = path.join(tmp(), 'f');
    fs.writeFileSync(`${file}.lock`, '');
    expect(() => withFileLock(file, () => 1, { timeoutMs: 500, ...fakeTime() })).toThrow(/held by a process that left no readable record. If that process is not running, remove/);
  });

  test('clears a break lock left by a process that died taking over, then takes over the stale lock', () => {
    const file = path.join(tmp(), 'f');
    const dead = deadPid();
    fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: dead, host: os.hostname(), command: 'x', since: 's' }));
    fs.writeFileSync(`${file}.lock.break`, JSON.stringify({ pid: dead, host: os.hostname() }));
    expect(withFileLock(file, () => 'mine', { timeoutMs: 0, ...fakeTime() })).toBe('mine');
    expect(fs.readdirSync(path.dirname(file))).toEqual([]);
  });

  test('removes the temporary files processes killed mid-write left, once they are gone, and nothing else', () => {
    const dir = tmp();
    const file = path.join(dir, 'f');
    const dead = deadPid();
    const old = new Date(Date.now() - 3_600_000);
    const names = [`.f.${dead}.ab12.tmp`, `.f.lock.${dead}.cd34.tmp`, `.f.lock.break.${dead}.ef56.tmp`, `.f.${process.pid}.live.tmp`, `.g.${dead}.ab12.tmp`, 'notes'];
    for (const n of names) {
      fs.writeFileSync(path.join(dir, n), '');
      fs.utimesSync(path.join(dir, n), old, old);
    }
    withFileLock(file, () => undefined);
    expect(fs.readdirSync(dir).sort()).toEqual([`.f.${process.pid}.live.tmp`, `.g.${dead}.ab12.tmp`, 'notes']);
  });
});

describe('durable files', () => {
  test('makeDirs creates missing parents and fails at once, naming the directory, where none can be made', () => {
    const dir = path.join(tmp(), 'a', 'b');
    makeDirs(dir);
    expect(fs.statSync(dir).isDirectory()).toBe(true);
    fs.writeFileSync(path.join(dir, 'file'), '');
    expect(() => makeDirs(path.join(dir, 'file', 'c'))).toThrow(`${path.join(dir, 'file')} is not a directory`);
  });

  test('readSmallFile refuses what is not a regular file instead of blocking on it', () => {
    const dir = tmp();
    expect(readSmallFile(path.join(dir, 'none'))).toBeUndefined();
    expect(() => readSmallFile(dir)).toThrow(`${dir} is not a regular file`);
    if (process.platform !== 'win32') {
      const fifo = path.join(dir, 'fifo');
      spawnSync('mkfifo', [fifo]);
      expect(() => readSmallFile(fifo)).toThrow(`${fifo} is not a regular file`);
    }
    fs.writeFileSync(path.join(dir, 'big'), 'x'.repeat(11));
    expect(() => readSmallFile(path.join(dir, 'big'), { maxBytes: 10 })).toThrow(/is 11 bytes, more than the 10/);
  });
});
