import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { CONFIG, buildApp } from '../main';
import { hashKey } from '../lib/app/api-keys-file';
import { EXAMPLE_KEYS_FILE, stackPropsFor } from '../lib/app-config';
import { runKeys } from '../lib/cli/keys';
import { runSynthCli } from '../lib/cli/synth';
import { LlmServingStack } from '../lib/stack';
import { parseAll, renderedObjects } from './helpers';

const D = `sha256:${'a'.repeat(64)}`;
const DIGESTS = { modelImageDigest: D, rateLimitImageDigest: D, redisImageDigest: D };
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tenants-profile-'));

/** Runs `fn` with `dir` as the working directory (where npm runs the commands: the project root). */
async function inDir<T>(dir: string, fn: () => T | Promise<T>): Promise<T> {
  const before = process.cwd();
  process.chdir(dir);
  try {
    return await fn();
  } finally {
    process.chdir(before);
  }
}

/** The commands of the first block of docs/tenants.md, in order, as argv (continuation lines joined, comments dropped). */
function readmeTenantCommands(): string[][] {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'docs', 'tenants.md'), 'utf8');
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('# Tenants:')))![1];
  return block.replace(/\\\n\s*/g, ' ').split('\n').map(l => l.replace(/\s+#.*$/, '').trim()).filter(Boolean).map(l => l.split(/\s+/));
}

describe('the tenants profile', () => {
  test('is the hardened stack plus the rate-limit service and ONE policy on the model route with the budget folded in', () => {
    const app = new App();
    new LlmServingStack(app, 'Stack', stackPropsFor({ profile: 'tenants', keysFile: EXAMPLE_KEYS_FILE, ...DIGESTS }));
    const objects = renderedObjects(app);
    const policies = objects.filter(o => o.kind === 'AgentgatewayPolicy');
    expect(policies.map(p => p.metadata.name)).toEqual(['mock-llm-ai-tenant-budget']);
    const rl = policies[0].spec.traffic.rateLimit;
    expect(rl.local).toEqual([{ tokens: 100, unit: 'Minutes' }]);
    expect(rl.global.backendRef).toEqual({ group: '', kind: 'Service', name: 'ratelimit', namespace: 'ratelimit', port: 8081 });
    const keys = objects.find(o => o.kind === 'ConfigMap' && o.metadata.name === 'mock-llm-ai-tenant-budget-api-keys');
    expect(Object.keys(keys.data)).toHaveLength(3);
    expect(objects.find(o => o.kind === 'Deployment' && o.metadata.name === 'ratelimit').spec.template.spec.containers[0].image).toBe(`docker.io/envoyproxy/ratelimit:1e50889b@${D}`);
    // The gateway's proxies are the only clients admitted to the service.
    const np = objects.find(o => o.kind === 'NetworkPolicy' && o.metadata.name === 'ratelimit-clients');
    expect(np.spec.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'kserve' });
  });

  test('refuses to build without the rate-limit images\' digests, as hardened refuses without the model\'s', () => {
    expect(() => stackPropsFor({ profile: 'tenants', keysFile: EXAMPLE_KEYS_FILE, modelImageDigest: D })).toThrow(/pin envoyproxy\/ratelimit by digest[\s\S]*pin Redis by digest/);
  });

  test('refuses a keys file that does not exist, saying how to make the default one, rather than build one where every request gets 401', async () => {
    const dir = tmp();
    await inDir(dir, () => {
      expect(() => stackPropsFor({ profile: 'tenants', ...DIGESTS })).toThrow(
        /reads its tenants and key hashes from config\/api-keys.json, which does not exist in .*: issue a key first \(`npm run keys -- add --tenant team-a --tier standard` creates it\), or pass --keys-file examples\/tenants\/api-keys.json/);
      expect(() => stackPropsFor({ profile: 'tenants', keysFile: 'config/api-keys.jsn', ...DIGESTS })).toThrow(
        `keys file ${path.join(fs.realpathSync(dir), 'config', 'api-keys.jsn')} does not exist (named by --keys-file, $KEYS_FILE or keysFile in CONFIG): check the path`);
    });
  });

  test('a key added with the documented command reaches dist/ on the next tenants synth (the next documented command)', async () => {
    const commands = readmeTenantCommands();
    const at = (prefix: string) => commands.findIndex(c => c.join(' ').startsWith(prefix));
    const [add, synth, deploy] = [at('npm run keys -- add'), at('npm run synth -- --profile tenants'), at('npm run deploy')];
    expect(add).toBeGreaterThanOrEqual(0);
    expect(synth).toBeGreaterThan(add);
    expect(deploy).toBeGreaterThan(synth);
    const dir = tmp();
    let key = '';
    const code = await inDir(dir, async () => {
      expect(runKeys(commands[add].slice(4), { out: s => (key += s), err: () => {} }, {})).toBe(0);
      const quiet = [jest.spyOn(process.stdout, 'write').mockImplementation(() => true), jest.spyOn(process.stderr, 'write').mockImplementation(() => true)];
      try {
        return await runSynthCli(CONFIG, buildApp, commands[synth].slice(4).map(a => (a.startsWith('sha256:<') ? D : a)), {});
      } finally {
        quiet.forEach(q => q.mockRestore());
      }
    });
    expect(code).toBe(0);
    const objects = fs.readdirSync(path.join(dir, 'dist')).filter(f => f.endsWith('.k8s.yaml')).flatMap(f => parseAll(fs.readFileSync(path.join(dir, 'dist', f), 'utf8')));
    const apiKeys = objects.find(o => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-api-keys'));
    expect(Object.values(apiKeys.data).map(v => JSON.parse(v as string))).toEqual([{ keyHash: hashKey(key.trim()), metadata: { tenant: 'team-a', tier: 'standard' } }]);
  }, 60_000);
});
