// smoke and smoke:tenants read dist/, which a user may have edited: a malformed object is a clear error, not a stack.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import { runSmokeCli } from '../lib/cli/smoke';
import { runTenantSmokeCli } from '../lib/cli/tenant-smoke';

function distWith(file: string, objects: object[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-malformed-'));
  fs.writeFileSync(path.join(dir, file), objects.map(o => jsyaml.dump(o)).join('---\n'));
  return dir;
}

async function capture(run: (err: (s: string) => void) => Promise<number>) {
  let err = '';
  const code = await run(s => (err += s));
  return { code, err };
}

const budget = { apiVersion: 'agentgateway.dev/v1alpha1', kind: 'AgentgatewayPolicy', metadata: { name: 'b', namespace: 'm' },
  spec: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'r' }], traffic: { rateLimit: { local: [{ tokens: 10, unit: 'Minutes' }] } } } };

describe('smoke on a malformed dist/', () => {
  test('a route whose rules are not a list: names the files, what is wrong and what to do, exit 2', async () => {
    const dist = distWith('0007-models.k8s.yaml', [budget,
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'm' }, spec: { rules: 'all of them' } }]);
    const r = await capture(err => runSmokeCli([], { CDK8S_OUTDIR: dist }, () => undefined, err));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^smoke: an object in 0007-models\.k8s\.yaml of .* is malformed \(.*\): run `npm run validate` to find it, or pass --url, --budget and --host\n$/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  test('smoke:tenants on a policy with no metadata: a clear error, exit 2', async () => {
    const dist = distWith('0007-models.k8s.yaml', [{ apiVersion: 'agentgateway.dev/v1alpha1', kind: 'AgentgatewayPolicy',
      spec: { traffic: { apiKeyAuthentication: {}, rateLimit: { global: {} } } } }]);
    let err = '';
    const code = await runTenantSmokeCli([], { CDK8S_OUTDIR: dist, SMOKE_KEY_A: 'a', SMOKE_KEY_B: 'b' }, () => undefined, s => (err += s));
    expect(code).toBe(2);
    expect(err).toMatch(/^smoke:tenants: cannot read the tenants' objects in .* \(.*\): run `npm run validate` to find what is malformed\n$/);
  });
});
