// `npm run build`: compiles lib/ and imports/ to build/ (incrementally), copies the data file the validator reads,
// then removes whatever build/ holds that no source produces any more, so a deleted module never ships.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write('Compiles lib/ and imports/ to build/ (incrementally) for the package and the commands; removes what\n' +
    'no source produces any more.\n\nUsage: npm run build\n\nExit codes:\n  0  built\n  1  tsc found errors (printed above)\n\nExample:\n  npm run build && npm pack\n');
  process.exit(0);
}
const root = path.join(__dirname, '..');
const build = path.join(root, 'build');
// tsc prints its own diagnostics; a failed compile ends here with its exit code, not with a stack trace.
const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(1);
fs.copyFileSync(path.join(root, 'imports', 'k8s-builtin-fields.json'), path.join(build, 'imports', 'k8s-builtin-fields.json'));

for (const rel of fs.readdirSync(build, { recursive: true })) {
  const m = /^(.*)\.(js|d\.ts)$/.exec(rel);
  if (!m || fs.existsSync(path.join(root, `${m[1]}.ts`))) continue;
  fs.rmSync(path.join(build, rel));
}
// Marks the build complete and fresh for scripts/run.js.
fs.writeFileSync(path.join(build, '.built'), new Date().toISOString() + '\n');
