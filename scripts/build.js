// `npm run build`: compiles lib/ and imports/ to build/ (incrementally), copies the data file the validator reads,
// then removes whatever build/ holds that no source produces any more, so a deleted module never ships.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const build = path.join(root, 'build');
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
fs.copyFileSync(path.join(root, 'imports', 'k8s-builtin-fields.json'), path.join(build, 'imports', 'k8s-builtin-fields.json'));

for (const rel of fs.readdirSync(build, { recursive: true })) {
  const m = /^(.*)\.(js|d\.ts)$/.exec(rel);
  if (!m || fs.existsSync(path.join(root, `${m[1]}.ts`))) continue;
  fs.rmSync(path.join(build, rel));
}
// Marks the build complete and fresh for scripts/run.js.
fs.writeFileSync(path.join(build, '.built'), new Date().toISOString() + '\n');
