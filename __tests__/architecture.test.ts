// The shape of the code the issues asked for, pinned: what importing the library loads, which way imports point,
// what the package publishes, and that no source file grows past what one reads in one sitting.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const LIB = path.join(ROOT, 'lib');
const sources = (fs.readdirSync(LIB, { recursive: true }) as string[]).filter(f => f.endsWith('.ts')).map(f => f.split(path.sep).join('/'));

/** The lib/-relative modules a source file imports (relative imports only). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(LIB, file), 'utf8');
  return [...text.matchAll(/^(?:import|export)\s[^;]*?from '(\.[^']+)'/gms)].map(m => path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1])));
}

/** Layers, lowest first: a file may import only from its own layer or a lower one. */
const LAYERS: [string, RegExp][] = [
  ['shared', /^(shared|upstream)\//],
  ['constructs', /^(platform|app)\//],
  ['stack', /^(stack|presets\/.*|app-config|synthesizer|gitops|index)$/],
  ['tools', /^(cli|ops|validate)\//],
];
const layerOf = (module: string) => LAYERS.findIndex(([, re]) => re.test(module.replace(/\.ts$/, '')));

describe('the library', () => {
  test('loads no CLI, deploy or validator code when imported', () => {
    const loaded = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e',
      'require("./lib"); console.log(JSON.stringify(Object.keys(require.cache)))'], { cwd: ROOT, encoding: 'utf8' });
    const ours = (JSON.parse(loaded) as string[]).filter(f => f.startsWith(ROOT) && !f.includes('node_modules')).map(f => path.relative(ROOT, f));
    expect(ours.filter(f => /^lib\/(cli|ops|validate)\/|^main\.ts$/.test(f))).toEqual([]);
    expect(ours).toContain('lib/app/metered-model.ts');
  });

  test.each(sources.filter(f => layerOf(f) >= 0))('%s imports only from its own layer or below', file => {
    const mine = layerOf(file);
    const upward = importsOf(file).filter(m => layerOf(m) > mine || (m.startsWith('..') && !m.startsWith('../imports/')));
    expect(upward).toEqual([]);
  });

  test('platform constructs do not import the app\'s constructs', () => {
    expect(sources.filter(f => f.startsWith('platform/') && importsOf(f).some(m => m.startsWith('app/')))).toEqual([]);
  });

  test('no source file is longer than about 300 lines', () => {
    const long = sources.map(f => [f, fs.readFileSync(path.join(LIB, f), 'utf8').split('\n').length] as const).filter(([, n]) => n > 320);
    expect(long).toEqual([]);
  });
});

describe('the package', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

  test('exports the constructs at "." and the validator at "./validate", compiled with declarations', () => {
    expect(pkg.main).toBe('build/lib/index.js');
    expect(pkg.types).toBe('build/lib/index.d.ts');
    expect(pkg.exports['.']).toEqual({ types: './build/lib/index.d.ts', default: './build/lib/index.js' });
    expect(pkg.exports['./validate']).toEqual({ types: './build/lib/validate/index.d.ts', default: './build/lib/validate/index.js' });
    // The cdk8s template's tsconfig resolves modules the node10 way, which ignores `exports`.
    expect(pkg.typesVersions['*'].validate).toEqual(['build/lib/validate/index.d.ts']);
  });

  test('takes cdk8s, constructs and cdk8s-plus-28 from its consumer (peer dependencies), so there is one copy of each', () => {
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['cdk8s', 'cdk8s-plus-28', 'constructs']);
    for (const peer of Object.keys(pkg.peerDependencies)) {
      expect([peer, pkg.dependencies[peer]]).toEqual([peer, undefined]);
      expect([peer, pkg.devDependencies[peer]]).toEqual([peer, expect.any(String)]);
    }
    expect(Object.keys(pkg.dependencies).filter(d => d.startsWith('cdk8s-plus'))).toEqual([]);
  });
});
