// The bad-input corpus: each file in __tests__/corpus/ holds objects with one mistake and `# expect:` lines; each
// case is validated together with the guide's objects (which it replaces where it redefines one) and must be
// rejected with the expected finding, naming the file and the object.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import * as jsyaml from 'js-yaml';
import { LlmServingStack } from '../lib/stack';
import { guidePreset } from '../lib/presets/guide';
import { renderApp } from '../lib/synthesizer';
import { ValidationCache } from '../lib/validate/cache';
import { formatFinding } from '../lib/validate/findings';
import { Validator } from '../lib/validate/validator';
import { mirrorResolver } from './helpers';

const CORPUS = path.join(__dirname, 'corpus');
const cases = fs.readdirSync(CORPUS).filter(f => f.endsWith('.yaml')).sort();
const validator = new Validator({ resolver: mirrorResolver(), cache: ValidationCache.default() });

/** The guide's app objects (gateway, namespaces, model), without the platform. */
function baseline(): any[] {
  const app = new App();
  new LlmServingStack(app, 'Stack', { ...guidePreset(), platform: { gatewayApi: false, agentgateway: false, certManager: false, kserve: false } });
  return renderApp(app).flatMap(f => jsyaml.loadAll(f.content));
}

const identity = (o: any) => `${String(o?.apiVersion).split('/')[0]}/${o?.kind}/${o?.metadata?.namespace ?? ''}/${o?.metadata?.name}`;

function runCase(file: string) {
  const text = fs.readFileSync(path.join(CORPUS, file), 'utf8');
  let replaced = new Set<string>();
  try {
    replaced = new Set(jsyaml.loadAll(text).map(identity));
  } catch {
    // A case that does not parse replaces nothing.
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corpus-'));
  fs.writeFileSync(path.join(dir, 'baseline.yaml'), baseline().filter(o => !replaced.has(identity(o))).map(o => jsyaml.dump(o)).join('---\n'));
  fs.copyFileSync(path.join(CORPUS, file), path.join(dir, file));
  const result = validator.validatePaths([dir]);
  return { result, lines: result.findings.map(f => formatFinding({ ...f, file: path.relative(dir, f.file) })) };
}

describe('validate', () => {
  test('accepts the guide\'s objects', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corpus-'));
    fs.writeFileSync(path.join(dir, 'baseline.yaml'), baseline().map(o => jsyaml.dump(o)).join('---\n'));
    const result = validator.validatePaths([dir]);
    expect(result.findings.filter(f => f.severity === 'error').map(formatFinding)).toEqual([]);
    // The guide's setup has the security warnings the hardened profile fixes (security.test.ts), and nothing else.
    expect(result.findings.every(f => /^SEC\d{3}$/.test(f.rule))).toBe(true);
    expect(result.ok).toBe(true);
  });

  test('the corpus has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  test.each(cases)('rejects %s with the expected finding', file => {
    const expectations = fs.readFileSync(path.join(CORPUS, file), 'utf8').split('\n')
      .filter(l => l.startsWith('# expect: ')).map(l => new RegExp(l.slice('# expect: '.length)));
    expect(expectations.length).toBeGreaterThan(0);

    const { result, lines } = runCase(file);

    expect(result.ok).toBe(false);
    for (const re of expectations) {
      const hit = lines.find(l => re.test(l));
      if (!hit) throw new Error(`no finding matches ${re}; findings were:\n${lines.join('\n') || '(none)'}`);
      expect(hit.startsWith(`${file}:`)).toBe(true);
    }
  });
});
