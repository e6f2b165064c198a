// Importing the library costs little more than importing cdk8s and constructs (issue #20) because the heavy modules
// load when first used (lib/shared/imports.ts). These tests pin that mechanism, not a time: `npm run bench` prints
// the time. They run the sources in a fresh node process, whose require.cache lists exactly what was loaded.
import { execFileSync } from 'child_process';
import * as path from 'path';
import * as agw from '../imports/agentgatewaybackend';
import { LlmApiFormatType } from '../lib';

const ROOT = path.join(__dirname, '..');

/** What a fresh node process has loaded after running `script` on the sources: generated imports and packages. */
function loadedBy(script: string): { imports: string[]; packages: string[] } {
  const out = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', `${script}; console.log(JSON.stringify(Object.keys(require.cache)))`],
    { cwd: ROOT, encoding: 'utf8' });
  const files = JSON.parse(out) as string[];
  return {
    imports: files.filter(f => f.startsWith(path.join(ROOT, 'imports') + path.sep)).map(f => path.basename(f, '.ts')).sort(),
    // The package a file belongs to, as the importer named it: cdk8s's bundled copy of `yaml` counts as cdk8s.
    packages: [...new Set(files.map(f => f.split(`${path.sep}node_modules${path.sep}`)[1]?.split(path.sep)[0]).filter(Boolean))].sort(),
  };
}

describe('importing the library', () => {
  test('loads no generated import, neither YAML library and not cdk8s-plus-28', () => {
    const loaded = loadedBy('require("./lib")');
    expect(loaded.imports).toEqual([]);
    expect(loaded.packages).not.toContain('yaml');
    expect(loaded.packages).not.toContain('js-yaml');
    expect(loaded.packages).not.toContain('cdk8s-plus-28');
    expect(loaded.packages).toEqual(expect.arrayContaining(['cdk8s', 'constructs']));
  });

  test('loads a generated import when the first construct that needs it is built, and only that one', () => {
    const loaded = loadedBy('const { App, Chart } = require("cdk8s"); const lib = require("./lib"); new lib.IngressGateway(new Chart(new App(), "c"), "gw")');
    expect(loaded.imports).toEqual(['gateway']);
    expect(loaded.packages).not.toContain('js-yaml');
  });

  test('loads cdk8s-plus-28 when the first of the library\'s own workloads is built', () => {
    const loaded = loadedBy('const { App, Chart } = require("cdk8s"); const lib = require("./lib"); new lib.Namespace(new Chart(new App(), "c"), "ns", { name: "team-a" })');
    expect(loaded.packages).toContain('cdk8s-plus-28');
  });
});

describe('LlmApiFormatType', () => {
  // It is spelled in lib/ so that importing the library does not load the generated import; regenerating the import
  // with new formats fails here until the enum follows.
  test('lists exactly the formats of the generated AgentgatewayBackend import', () => {
    expect({ ...LlmApiFormatType }).toEqual({ ...agw.AgentgatewayBackendSpecAiProviderCustomFormatsType });
  });
});
