/**
 * TEMPORARY, until #10 lands (`npm run build` and package.json `main`/`types`/`exports`): builds a stand-in package
 * in a scratch directory — tsc with declarations over lib/index.ts (and the validator), and a package.json with the
 * entry points and peer dependencies #10 adds — so the rest of the consumer test can run end to end. Deleted when
 * the real build exists.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** Builds the stand-in package under `dir` and returns that directory (to `npm pack`). */
export function buildStandIn(repo: string, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    extends: path.join(repo, 'tsconfig.json'),
    compilerOptions: {
      noEmit: false, declaration: true, incremental: false, outDir: path.join(dir, 'build'), rootDir: repo,
      types: ['node'], typeRoots: [path.join(repo, 'node_modules', '@types')],
    },
    include: [],
    files: [path.join(repo, 'lib', 'index.ts'), path.join(repo, 'lib', 'validate', 'validator.ts')],
  }, null, 2));
  const tsc = spawnSync(path.join(repo, 'node_modules', '.bin', 'tsc'), ['-p', dir], { encoding: 'utf8' });
  if (tsc.stdout.trim()) process.stdout.write(`  stand-in tsc reported (emitted anyway):\n${tsc.stdout.replace(/^/gm, '    ')}\n`);
  fs.cpSync(path.join(repo, 'imports'), path.join(dir, 'build', 'imports'), { recursive: true, filter: f => !f.endsWith('.ts') });

  const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  const { cdk8s, constructs, ...dependencies } = pkg.dependencies;
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: pkg.name, version: pkg.version, license: pkg.license,
    main: 'build/lib/index.js', types: 'build/lib/index.d.ts',
    exports: {
      '.': { types: './build/lib/index.d.ts', default: './build/lib/index.js' },
      './validate': { types: './build/lib/validate/validator.d.ts', default: './build/lib/validate/validator.js' },
      './package.json': './package.json',
    },
    typesVersions: { '*': { validate: ['build/lib/validate/validator.d.ts'] } },
    files: ['build/**/*.js', 'build/**/*.d.ts', 'build/**/*.json'],
    dependencies, peerDependencies: { cdk8s, constructs },
  }, null, 2));
  return dir;
}
