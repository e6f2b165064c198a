/**
 * Checks that a policy's `rateLimit.global` and the rate-limit service it names agree, and that the API keys it
 * relies on are well formed: the wiring agentgateway and envoyproxy/ratelimit accept without complaint but then
 * leave traffic unlimited or refused. The service's configuration is found as the cluster would find it: the
 * backendRef's Service, the Deployments its selector matches, and the ConfigMap mounted where the service reads
 * its files (`RUNTIME_ROOT/RUNTIME_SUBDIRECTORY/RUNTIME_APPDIRECTORY`, envoyproxy/ratelimit src/settings/settings.go).
 */
import * as path from 'path';
import { DescriptorEntry, hasKeyPath, limitFor, matchDepth, parseRateLimitConfig, RateLimitConfig, valuesAt } from '../platform/rate-limit-config';
import { Finding, Severity } from './findings';
import { KnownObject } from './references';

/** Every check, by stable id. */
export const TENANT_BUDGET_RULES = {
  TEN001: 'global descriptor matches no rule of the rate-limit service: its traffic goes unlimited',
  TEN002: 'rate-limit domain not configured in the service',
  TEN003: 'rate-limit backendRef port does not reach the service\'s gRPC port',
  TEN004: 'rate-limit backendRef names no Service in the input',
  TEN005: 'tenant\'s tier has no rule in the rate-limit service',
  TEN006: 'API key entry is not a `sha256:` hash of 64 hex digits',
  TEN007: 'cost expression on a token descriptor',
  TEN008: 'rate-limit service configuration file does not load',
} as const;
type RuleId = keyof typeof TENANT_BUDGET_RULES;

const AGW_GROUP = 'agentgateway.dev';
const KEY_HASH = /^sha256:[0-9a-fA-F]{64}$/;
// envoyproxy/ratelimit@1e50889b:src/settings/settings.go defaults.
const DEFAULT_RUNTIME_ROOT = '/srv/runtime_data/current';
const DEFAULT_APP_DIRECTORY = 'config';
const DEFAULT_GRPC_PORT = 8081;

/** Findings for every AgentgatewayPolicy with a global rate limit or API keys in ConfigMaps. */
export function tenantBudgetFindings(objects: readonly KnownObject[]): Finding[] {
  const out: Finding[] = [];
  const add = (at: KnownObject, p: string, id: RuleId, detail: string, severity: Severity = 'error') => out.push({
    file: at.file, line: at.line, kind: at.kind, namespace: at.namespace, name: at.name, path: p, severity, rule: id,
    message: `[${id}] ${detail}`,
  });
  const configMaps = objects.filter(o => o.kind === 'ConfigMap' && o.apiVersion === 'v1' && o.object);
  const checkedKeyMaps = new Set<KnownObject>();

  for (const policy of objects.filter(o => o.kind === 'AgentgatewayPolicy' && o.apiVersion.startsWith(`${AGW_GROUP}/`) && o.object)) {
    const traffic = policy.object.spec?.traffic ?? {};
    const selector = traffic.apiKeyAuthentication?.configMapSelector?.matchLabels;
    const keyMaps = selector ? configMaps.filter(c => c.namespace === policy.namespace && labelsMatch(c.object.metadata?.labels, selector)) : [];
    const keys = keyMaps.flatMap(cm => {
      const parsed = apiKeyEntries(cm);
      if (!checkedKeyMaps.has(cm)) {
        checkedKeyMaps.add(cm);
        for (const bad of parsed.filter(k => k.problem)) add(cm, `.data[${JSON.stringify(bad.id)}]`, 'TEN006', `${bad.problem}: agentgateway refuses the whole key set, so every request gets 401. Fix: record keys with \`npm run keys -- add\`, which writes "sha256:" + the hex sha256 of the key`);
      }
      return parsed.filter(k => !k.problem);
    });

    const rl = traffic.rateLimit ?? {};
    const globals: { at: string; global: any }[] = [
      ...(rl.global ? [{ at: '.spec.traffic.rateLimit.global', global: rl.global }] : []),
      ...(rl.conditional ?? []).flatMap((c: any, i: number) => (c?.policy?.global ? [{ at: `.spec.traffic.rateLimit.conditional[${i}].policy.global`, global: c.policy.global }] : [])),
    ];
    for (const { at, global } of globals) {
      (global.descriptors ?? []).forEach((d: any, i: number) => {
        if (d?.unit === 'Tokens' && d.cost !== undefined) {
          add(policy, `${at}.descriptors[${i}].cost`, 'TEN007', 'a token descriptor with a cost expression is dropped, unmetered, whenever the cost fails to evaluate (agentgateway@v1.4.1 remoteratelimit.rs apply_token_amend). Fix: remove cost; agentgateway then charges the response\'s total tokens', 'warning');
        }
      });
      const service = resolveService(objects, policy, global.backendRef);
      if ('problem' in service) {
        add(policy, `${at}.backendRef`, service.id, service.problem);
        continue;
      }
      const svc = service.svc;
      const found = serviceConfigs(objects, svc, service.port);
      if (found.portProblem) add(policy, `${at}.backendRef.port`, 'TEN003', found.portProblem);
      for (const bad of found.unloadable) add(bad.cm, `.data[${JSON.stringify(bad.key)}]`, 'TEN008', `${bad.message}: envoyproxy/ratelimit refuses to load its configuration. Fix the file`);
      if (found.configs === undefined) continue; // configured elsewhere (xDS, a volume we cannot see): nothing to compare
      const config = found.configs.find(c => c.domain === global.domain);
      if (!config) {
        add(policy, `${at}.domain`, 'TEN002', `domain ${JSON.stringify(global.domain)} is not configured in Service ${svcName(svc)} (it has ${found.configs.map(c => JSON.stringify(c.domain)).join(', ') || 'no configuration files'}): the service answers OK for unknown domains, so nothing is limited. Fix: use the service's domain, or add a file for this one`);
        continue;
      }
      (global.descriptors ?? []).forEach((d: any, i: number) => checkDescriptor(d, `${at}.descriptors[${i}]`));

      function checkDescriptor(d: any, p: string) {
        const entries: { name: string; expression: string }[] = d?.entries ?? [];
        if (!hasKeyPath(config!, entries.map(e => e.name))) {
          add(policy, p, 'TEN001', `no rule of domain ${JSON.stringify(config!.domain)} in Service ${svcName(svc)} has the keys ${entries.map(e => e.name).join(' -> ')} ending on a rate_limit, so this descriptor's traffic goes unlimited. Fix: add the rule, or generate both sides from one Tenants description`);
          return;
        }
        // Where each entry's value is a literal or an API key's metadata field, check every key as the service would.
        for (const key of keys) {
          const values = entries.map(e => staticValue(e.expression, key.metadata));
          if (values.some(v => v === undefined)) break;
          const request: DescriptorEntry[] = entries.map((e, j) => ({ key: e.name, value: values[j]! }));
          if (limitFor(config!, request)) continue;
          const depth = matchDepth(config!, request);
          const known = depth < request.length ? valuesAt(config!, request.slice(0, depth), request[depth].key) : [];
          if (depth < request.length && request[depth].key === 'tier' && known.length > 0) {
            add(policy, p, 'TEN005', `API key ${key.id} (${describe(request)}) is on tier ${JSON.stringify(request[depth].value)}, which the service does not know (it has ${known.map(v => JSON.stringify(v)).join(', ')}): that tenant is unlimited. Fix: put the tenant on an existing tier, or add the tier`);
          } else {
            add(policy, p, 'TEN001', `API key ${key.id} (${describe(request)}) matches no rule of domain ${JSON.stringify(config!.domain)}: its traffic goes unlimited. Fix: add the rule, or generate both sides from one Tenants description`);
          }
        }
      }
    }
  }
  return out;
}

interface ApiKeyEntry { readonly id: string; readonly metadata: Record<string, unknown>; readonly problem?: string }

function apiKeyEntries(cm: KnownObject): ApiKeyEntry[] {
  return Object.entries<any>(cm.object.data ?? {}).map(([id, text]) => {
    let v: any;
    try {
      v = JSON.parse(String(text));
    } catch {
      return { id, metadata: {}, problem: 'not a JSON object with "keyHash"' };
    }
    if (v && typeof v === 'object' && 'key' in v) return { id, metadata: {}, problem: 'a plaintext "key" in a ConfigMap (ConfigMaps are not confidential; agentgateway accepts only keyHash there)' };
    if (!v || typeof v.keyHash !== 'string' || !KEY_HASH.test(v.keyHash)) return { id, metadata: {}, problem: `keyHash ${JSON.stringify(v?.keyHash)} is not "sha256:" followed by 64 hex digits` };
    return { id, metadata: v.metadata && typeof v.metadata === 'object' ? v.metadata : {} };
  });
}

/** The value of a descriptor expression when it does not depend on the request: a string literal or `apiKey.<field>`. */
function staticValue(expression: string, metadata: Record<string, unknown>): string | undefined {
  const literal = /^\s*(?:"([^"\\]*)"|'([^'\\]*)')\s*$/.exec(expression);
  if (literal) return literal[1] ?? literal[2];
  const field = /^\s*apiKey\.([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(expression);
  if (field && typeof metadata[field[1]] === 'string') return metadata[field[1]] as string;
  return undefined;
}

function describe(request: DescriptorEntry[]): string {
  return request.map(r => `${r.key}=${r.value}`).join(', ');
}

function svcName(svc: KnownObject): string {
  return `${svc.namespace}/${svc.name}`;
}

function labelsMatch(labels: Record<string, string> | undefined, wanted: Record<string, string>): boolean {
  return Object.entries(wanted).every(([k, v]) => labels?.[k] === v);
}

function resolveService(objects: readonly KnownObject[], policy: KnownObject, ref: any):
  { svc: KnownObject; port: any } | { id: RuleId; problem: string } {
  const group = ref?.group ?? '';
  const kind = ref?.kind ?? 'Service';
  if (group !== '' || kind !== 'Service') return { id: 'TEN004', problem: `backendRef is ${group || 'core'}/${kind}: these checks follow Service references only, so the rate-limit wiring is unchecked` };
  const namespace = ref?.namespace ?? policy.namespace;
  const svc = objects.find(o => o.kind === 'Service' && o.apiVersion === 'v1' && o.name === ref?.name && o.namespace === namespace);
  if (!svc?.object) {
    return { id: 'TEN004', problem: `Service ${namespace}/${ref?.name} not found: with failureMode FailClosed every request fails, with FailOpen none is limited. Fix: include the rate-limit service (the stack's rateLimitService platform component) or correct the name and namespace` };
  }
  return { svc, port: (svc.object.spec?.ports ?? []).find((p: any) => p.port === ref?.port) ?? { missing: ref?.port } };
}

/** The configuration files the Service's pods load, and whether the port reaches their gRPC listener. */
function serviceConfigs(objects: readonly KnownObject[], svc: KnownObject, port: any):
  { configs?: RateLimitConfig[]; portProblem?: string; unloadable: { cm: KnownObject; key: string; message: string }[] } {
  const unloadable: { cm: KnownObject; key: string; message: string }[] = [];
  const ports = (svc.object.spec?.ports ?? []).map((p: any) => p.port).join(', ');
  if (port.missing !== undefined) return { unloadable, portProblem: `port ${port.missing} is not a port of Service ${svcName(svc)} (it has ${ports || 'none'}). Fix: use the Service's gRPC port` };
  const selector = svc.object.spec?.selector;
  const workloads = selector ? objects.filter(o => o.kind === 'Deployment' && o.namespace === svc.namespace && o.object && labelsMatch(o.object.spec?.template?.metadata?.labels, selector)) : [];
  let configs: RateLimitConfig[] | undefined;
  let portProblem: string | undefined;
  for (const w of workloads) {
    const pod = w.object.spec?.template?.spec ?? {};
    for (const c of pod.containers ?? []) {
      const env = Object.fromEntries((c.env ?? []).filter((e: any) => typeof e.value === 'string').map((e: any) => [e.name, e.value]));
      const dir = path.posix.join(env.RUNTIME_ROOT ?? DEFAULT_RUNTIME_ROOT, env.RUNTIME_SUBDIRECTORY ?? '', env.RUNTIME_APPDIRECTORY ?? DEFAULT_APP_DIRECTORY);
      const mount = (c.volumeMounts ?? []).find((m: any) => path.posix.normalize(m.mountPath ?? '') === dir);
      const volume = mount && (pod.volumes ?? []).find((v: any) => v.name === mount.name);
      const cm = volume?.configMap && objects.find(o => o.kind === 'ConfigMap' && o.namespace === svc.namespace && o.name === volume.configMap.name && o.object);
      if (!cm) continue;
      configs ??= [];
      for (const [key, text] of Object.entries<any>(cm.object.data ?? {})) {
        if (env.RUNTIME_IGNOREDOTFILES === 'true' && key.startsWith('.')) continue;
        try {
          configs.push(parseRateLimitConfig(String(text)));
        } catch (e: any) {
          unloadable.push({ cm, key, message: e.message });
        }
      }
      const grpc = Number(env.GRPC_PORT ?? DEFAULT_GRPC_PORT);
      const target = port.targetPort ?? port.port;
      const resolved = typeof target === 'number' ? target : (c.ports ?? []).find((p: any) => p.name === target)?.containerPort;
      if (resolved !== grpc) {
        portProblem = `Service ${svcName(svc)} port ${port.port} reaches container port ${resolved ?? JSON.stringify(target)} of ${w.name}, but the rate-limit service listens for gRPC on ${grpc} (GRPC_PORT). Fix: point the policy at the Service port whose targetPort is ${grpc}`;
      }
    }
  }
  return { configs, portProblem, unloadable };
}
