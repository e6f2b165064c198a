// Runs a command of this project from its compiled build (`node` loads compiled JavaScript in a fraction of the time
// tsx needs to load the TypeScript), rebuilding first when any source is newer than the last build:
//   node scripts/run.js main --profile hardened      (npm run synth)
//   node scripts/run.js lib/cli/validate --strict    (npm run validate)
const { spawnSync } = require('child_process');
const fs = require('fs');
const Module = require('module');
const path = require('path');

const root = path.join(__dirname, '..');
const stamp = path.join(root, 'build', '.built');

/** The newest modification time among the sources the build compiles (and its configuration). */
function newestSource() {
  let newest = 0;
  const visit = (p) => {
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const entry of fs.readdirSync(p)) visit(path.join(p, entry));
    } else if (/\.(ts|json)$/.test(p)) {
      newest = Math.max(newest, st.mtimeMs);
    }
  };
  for (const p of ['main.ts', 'lib', 'imports', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.js']) visit(path.join(root, p));
  return newest;
}

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: node scripts/run.js <entry, e.g. main or lib/cli/validate> [args...]\n');
  process.exit(2);
}
const builtAt = () => {
  try {
    return fs.statSync(stamp).mtimeMs;
  } catch {
    return 0; // never built
  }
};
const stale = () => builtAt() < newestSource();

/**
 * Runs `fn` while holding the build lock (a directory, made atomically), so that commands started together on a
 * stale build (ten `npm run keys -- add` at once) build once, not ten times into one build/. A holder that died
 * leaves its pid behind; its lock is taken over.
 */
function withBuildLock(fn) {
  const lock = path.join(root, '.cache', 'build.lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const until = Date.now() + 10 * 60_000;
  for (let said = false; ; ) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    let holder = 0;
    try {
      holder = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
    } catch {
      // being made or removed right now
    }
    let alive = true;
    try {
      if (holder) process.kill(holder, 0);
    } catch (e) {
      alive = e.code === 'EPERM';
    }
    if (holder && !alive) {
      fs.rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > until) {
      process.stderr.write(`another build (pid ${holder || '?'}) has held ${lock} for 10 minutes; if none is running, remove it\n`);
      process.exit(2);
    }
    if (!said) process.stderr.write(`waiting for the build of pid ${holder || '?'} to finish ...\n`);
    said = true;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
  try {
    fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

if (stale()) {
  withBuildLock(() => {
    if (!stale()) return; // built meanwhile by the command that held the lock
    const built = builtAt();
    process.stderr.write(`${built ? 'sources changed since the last build' : 'first run'}: npm run build ...\n`);
    const build = spawnSync(process.execPath, [path.join(__dirname, 'build.js')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    if (build.status !== 0) {
      // tsc has said what is wrong (a type error in main.ts's CONFIG, say); nothing more than where to look.
      process.stderr.write(`\nThe project does not compile, so ${entry} cannot run: fix the errors above (in main.ts or lib/) and run it again.\n`);
      process.exitCode = 2;
    }
  });
  if (process.exitCode === 2) process.exit(2);
}
// Run the compiled file as the main module, so its `require.main === module` entry point runs.
process.argv = [process.argv[0], path.join(root, 'build', `${entry}.js`), ...args];
Module.runMain();
