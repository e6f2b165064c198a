/**
 * `SMOKE_KEY_A=<key> SMOKE_KEY_B=<key> npm run smoke:tenants -- [--url URL] [--host HOST] [--context NAME] [--budget N]`:
 * the per-tenant budget test (lib/ops/tenant-smoke.ts) against a running gateway. The two keys belong to two
 * different tenants; they are read from the environment, never from flags (flags end up in shell history).
 *
 * From dist/ (`$CDK8S_OUTDIR` or `<repo>/dist`): the policy with the tenant budget, its route (hostname, path,
 * gateway to port-forward), the tenants of the two keys (by their hashes in the API-key ConfigMap) and the first
 * key's budget (its tier's rule in the rate-limit service's file).
 * Exit 0: PASS; 1: FAIL; 2: bad arguments, or the test could not start.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import { hashKey } from '../app/api-keys-file';
import { CommandDoc, helpText, parseCommand, runMain, wantsHelp } from './command';
import { runTenantSmoke } from '../ops/tenant-smoke';
import { limitFor, parseRateLimitConfig } from '../platform/rate-limit-config';
import { distDir } from './dist-dir';
import { CannotStartError, portForward, PortForward } from './smoke';

const USAGE = 'usage: SMOKE_KEY_A=<key of tenant A> SMOKE_KEY_B=<key of tenant B> npm run smoke:tenants -- [--url URL] [--host HOST] [--context NAME] [--budget N]';
// Platform files are megabytes of CRDs and controllers; the app's objects are small.
const MAX_PARSED_FILE = 512 * 1024;

/** What dist/ says about the tenant budget and the two keys. */
export interface TenantSmokeTarget {
  readonly policy: string;
  readonly host?: string;
  readonly path?: string;
  readonly gateway?: { readonly name: string; readonly namespace: string };
  readonly spender: { readonly tenant: string; readonly tier: string; readonly budget?: number };
  readonly bystander: { readonly tenant: string; readonly tier: string };
}

/** Reads the target from dist/, hashing the keys to find their tenants. */
export function readTenantSmokeTarget(distDir: string, keyA: string, keyB: string): TenantSmokeTarget {
  try {
    return tenantTarget(distDir, keyA, keyB);
  } catch (e: any) {
    if (e instanceof CannotStartError) throw e;
    // dist/ was edited by hand, or comes from elsewhere: a file or an object is not what it should be.
    throw new CannotStartError(`cannot read the tenants' objects in ${distDir} (${e.message}): run \`npm run validate\` to find what is malformed`);
  }
}

function tenantTarget(distDir: string, keyA: string, keyB: string): TenantSmokeTarget {
  let names: string[];
  try {
    names = fs.readdirSync(distDir).filter(f => f.endsWith('.k8s.yaml')).sort();
  } catch (e: any) {
    throw new CannotStartError(`cannot read ${distDir} (${e.code ?? e.message}): run \`npm run synth -- --profile tenants\` first`);
  }
  const docs: any[] = names.map(n => path.join(distDir, n)).filter(f => fs.statSync(f).size <= MAX_PARSED_FILE)
    .flatMap(f => jsyaml.loadAll(fs.readFileSync(f, 'utf8')) as any[]).filter(d => d && typeof d === 'object');
  const policy = docs.find(d => d.kind === 'AgentgatewayPolicy' && d.spec?.traffic?.rateLimit?.global && d.spec?.traffic?.apiKeyAuthentication);
  if (!policy) throw new CannotStartError(`${distDir} has no AgentgatewayPolicy with apiKeyAuthentication and rateLimit.global: synth a profile with tenants (\`npm run synth -- --profile tenants\`)`);
  const ns = policy.metadata.namespace;
  const selector = policy.spec.traffic.apiKeyAuthentication.configMapSelector?.matchLabels ?? {};
  const keys = new Map<string, any>();
  for (const cm of docs.filter(d => d.kind === 'ConfigMap' && d.metadata?.namespace === ns && Object.entries(selector).every(([k, v]) => d.metadata?.labels?.[k] === v))) {
    for (const text of Object.values<string>(cm.data ?? {})) {
      try {
        const v = JSON.parse(text);
        keys.set(String(v.keyHash).toLowerCase(), v.metadata ?? {});
      } catch { /* the validator reports it (TEN006) */ }
    }
  }
  const who = (key: string, name: string) => {
    const m = keys.get(hashKey(key));
    if (!m) throw new CannotStartError(`${name} is not a key of ${distDir} (its hash is not in the policy's API-key ConfigMaps): issue one with \`npm run keys -- add\` and synth`);
    return { tenant: String(m.tenant), tier: String(m.tier) };
  };
  const a = who(keyA, 'SMOKE_KEY_A');
  const b = who(keyB, 'SMOKE_KEY_B');
  if (a.tenant === b.tenant) throw new CannotStartError(`SMOKE_KEY_A and SMOKE_KEY_B both belong to tenant ${a.tenant}: use keys of two different tenants`);

  const global = policy.spec.traffic.rateLimit.global;
  const file = docs.find(d => d.kind === 'ConfigMap' && typeof d.data?.[`${global.domain}.yaml`] === 'string');
  const entries = (global.descriptors?.[0]?.entries ?? []).map((e: any) => ({ key: e.name, value: String((a as any)[String(e.expression).replace(/^apiKey\./, '')] ?? '') }));
  const budget = file ? limitFor(parseRateLimitConfig(file.data[`${global.domain}.yaml`]), entries)?.requestsPerUnit : undefined;

  const routeName = policy.spec.targetRefs?.[0]?.name;
  const route = docs.find(d => d.kind === 'HTTPRoute' && d.metadata?.name === routeName && d.metadata?.namespace === ns);
  const parent = route?.spec?.parentRefs?.[0];
  return {
    policy: `${ns}/${policy.metadata.name}`,
    host: route?.spec?.hostnames?.[0],
    path: route?.spec?.rules?.[0]?.matches?.[0]?.path?.value,
    gateway: parent ? { name: parent.name, namespace: parent.namespace ?? ns } : undefined,
    spender: { ...a, budget },
    bystander: b,
  };
}

/** Runs the CLI; returns the exit code. */
/** `npm run smoke:tenants`'s description: its --help and its flags. */
export const TENANT_SMOKE: CommandDoc = {
  command: 'SMOKE_KEY_A=<key> SMOKE_KEY_B=<key> npm run smoke:tenants --',
  summary: 'Tests the tenants profile against a running cluster: tenant A spends its tier\'s budget until it gets 429, and\n' +
    'tenant B, on its own budget, is still served; a request with no key or a wrong key gets 401.',
  flags: [
    { name: 'url', value: 'URL', description: 'the gateway\'s base URL', default: 'a kubectl port-forward to the gateway\'s Service' },
    { name: 'host', value: 'HOST', description: 'the Host header', default: 'the tenant route\'s hostname in dist/' },
    { name: 'context', value: 'NAME', description: 'the kubeconfig context for the port-forward', default: 'the current context' },
    { name: 'budget', value: 'N', description: 'tenant A\'s budget in requests per unit', default: 'its tier\'s rule in dist/' },
  ],
  env: [
    ['SMOKE_KEY_A', 'an API key of one tenant (from npm run keys -- add; required)'],
    ['SMOKE_KEY_B', 'an API key of another tenant (required)'],
    ['KUBECTL', 'the kubectl for the port-forward (default: kubectl on PATH)'],
    ['CDK8S_OUTDIR', 'the output directory read (default: dist)'],
  ],
  exit: ['0  PASS', '1  FAIL', '2  bad arguments, or the test could not start'],
  examples: ['SMOKE_KEY_A=$(npm run -s keys -- add --tenant acme) SMOKE_KEY_B=$(npm run -s keys -- add --tenant globex) npm run smoke:tenants'],
};

export async function runTenantSmokeCli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env,
  out: (s: string) => void = s => process.stdout.write(s), err: (s: string) => void = s => process.stderr.write(s)): Promise<number> {
  let forward: PortForward | undefined;
  try {
    let flags: Record<string, string | boolean | undefined>;
    try {
      if (wantsHelp(argv)) {
        out(helpText(TENANT_SMOKE));
        return 0;
      }
      flags = parseCommand(TENANT_SMOKE, argv).flags;
    } catch (e: any) {
      err(`smoke:tenants: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    const keyA = env.SMOKE_KEY_A;
    const keyB = env.SMOKE_KEY_B;
    if (!keyA || !keyB) throw new CannotStartError(`SMOKE_KEY_A and SMOKE_KEY_B must hold API keys of two different tenants (from \`npm run keys -- add\`)\n${USAGE}`);
    const budgetFlag = flags.budget === undefined ? undefined : Number(flags.budget);
    if (budgetFlag !== undefined && !(Number.isInteger(budgetFlag) && budgetFlag >= 1)) throw new CannotStartError(`--budget must be a whole number >= 1, got ${JSON.stringify(flags.budget)}`);
    const target = readTenantSmokeTarget(distDir(env), keyA, keyB);
    const budget = budgetFlag ?? target.spender.budget;
    if (budget === undefined) throw new CannotStartError(`no rule of the rate-limit service's file limits tenant ${target.spender.tenant} (tier ${target.spender.tier}): run \`npm run validate\`, or pass --budget`);

    let url = flags.url as string | undefined;
    if (url === undefined) {
      if (!target.gateway) throw new CannotStartError(`no gateway found for the route of ${target.policy}: pass --url`);
      out(`port-forwarding svc/${target.gateway.name} in ${target.gateway.namespace}...\n`);
      forward = await portForward(env.KUBECTL || 'kubectl', flags.context as string | undefined, target.gateway, env);
      url = forward.url;
    }
    out(`${target.policy}: spending tenant ${target.spender.tenant}'s budget (tier ${target.spender.tier}, ${budget} tokens); tenant ${target.bystander.tenant} (tier ${target.bystander.tier}) must keep 200\n`);
    const result = await runTenantSmoke({
      url, host: (flags.host as string | undefined) ?? target.host, path: target.path,
      spender: { tenant: target.spender.tenant, key: keyA }, bystander: { tenant: target.bystander.tenant, key: keyB },
      spenderBudget: budget, log: line => out(`${line}\n`),
    });
    return result.ok ? 0 : 1;
  } catch (e: any) {
    err(`smoke:tenants: ${e instanceof CannotStartError ? e.message : `internal error: ${e?.message ?? e}`}\n`);
    return 2;
  } finally {
    await forward?.close();
  }
}

if (require.main === module) {
  runMain('smoke:tenants', () => runTenantSmokeCli(process.argv.slice(2)));
}
