// Where the output cannot go, replaceOutputDir says so at once and writes nothing: no spinning under /proc, no
// `/.-versions` at the root, no raw errno.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OutputDirError, replaceOutputDir } from '../lib/ops/output-dir';

const attempt = (outdir: string) => {
  let wrote = false;
  try {
    replaceOutputDir(outdir, () => (wrote = true));
  } catch (e) {
    return { wrote, error: e };
  }
  return { wrote, error: undefined };
};

describe('an output directory where none can be', () => {
  test('the root of the filesystem is refused, and nothing is made there', () => {
    const { wrote, error } = attempt('/');
    expect(wrote).toBe(false);
    expect(error).toBeInstanceOf(OutputDirError);
    expect((error as Error).message).toBe('/ is the root of the filesystem, not an output directory: pass --dist with a directory of its own, e.g. --dist dist');
    expect(fs.existsSync('/.-versions')).toBe(false);
  });

  test('a path under /proc is refused at once (Node\'s recursive mkdir would spin there forever)', () => {
    const { wrote, error } = attempt('/proc/no-such-dir/dist');
    expect(wrote).toBe(false);
    expect((error as Error).message).toMatch(/^cannot write the output at \/proc\/no-such-dir\/dist \(.*\); nothing was written\. Pass --dist with a directory you can write/);
  });

  test('a path under a file is refused, naming the file', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'outdir-')), 'plain-file');
    fs.writeFileSync(file, 'x');
    const { error } = attempt(path.join(file, 'dist'));
    expect(error).toBeInstanceOf(OutputDirError);
    expect((error as Error).message).toContain(`${file} is not a directory`);
  });
});
