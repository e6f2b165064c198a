// LLMInferenceService stacks (issue #19): what KServe v0.20.0 creates for each LLMInferenceService counts as present,
// the route spec the service writes is checked like any HTTPRoute's, and references to names KServe will not create
// are errors that say the right name (LLM001-LLM003). The guide's stack validates with no error.
import { runValidate } from '../lib/cli/validate';
import { ValidationCache } from '../lib/validate/cache';
import { formatFinding } from '../lib/validate/findings';
import { llmisvcPlan } from '../lib/validate/llmisvc';
import { KnownObject, runtimeObjects } from '../lib/validate/references';
import { Validator } from '../lib/validate/validator';
import { mirrorResolver } from './helpers';
import { llmisvcGuideObjects, plainRoutingObjects, writeObjects } from './validate-llmisvc-stack';

const validator = new Validator({ resolver: mirrorResolver(), cache: ValidationCache.default() });

/** Validates objects after `edit`; returns every finding as printed (file left out) and the result. */
function validate(objects: any[], edit: (objs: any[]) => void = () => {}) {
  const copy = structuredClone(objects);
  edit(copy);
  const result = validator.validatePaths([writeObjects(copy)]);
  const lines = result.findings.map(f => formatFinding({ ...f, file: 'stack.yaml', line: undefined }));
  return { result, lines, errors: result.findings.filter(f => f.severity === 'error').map(f => formatFinding({ ...f, file: 'stack.yaml', line: undefined })) };
}

const of = (objs: any[], kind: string) => objs.find(o => o.kind === kind);
const llmisvc = (objs: any[]) => of(objs, 'LLMInferenceService');
const guide = llmisvcGuideObjects();
const plain = plainRoutingObjects();

describe('the guide\'s LLMInferenceService stack', () => {
  test('validates with no error; its only findings are the #2976 trade-off and the open listener SEC003 flags on every guide', () => {
    const { result, lines } = validate(guide);

    expect(result.ok).toBe(true);
    expect(lines).toEqual([
      expect.stringMatching(/^stack\.yaml: Gateway kserve\/kserve-ingress-gateway: \.spec\.listeners\[0\]\.allowedRoutes\.namespaces\.from: warning: \[SEC003\]/),
      expect.stringMatching(/^stack\.yaml: AgentgatewayBackend kserve-test\/mock-llm-backend: \.spec\.ai\.provider\.custom\.backendRef: warning: \[AGW004\] its AI traffic goes to InferencePool kserve-test\/mock-llm-inference-pool, through agentgateway v1\.4\.1/),
    ]);
  });

  test('npm run validate exits 0 on it, and prints the #2976 warning with what is lost, why, and the options', () => {
    let out = '';
    const code = runValidate([writeObjects(guide)], s => (out += s), () => {});

    expect(code).toBe(0);
    const warning = out.split('\n').find(l => l.includes('[AGW004]'));
    expect(warning).toMatch(/load-, prefix-cache- and KV-cache-aware scheduling is lost, and endpoints are chosen by plain load balancing/);
    expect(warning).toMatch(/agentgateway#2976/);
    expect(warning).toMatch(/token budgets need one/);
    expect(warning).toMatch(/Fix: accept the trade-off to keep the token budget; or, without a budget, route the HTTPRoute to the InferencePool directly .*; or upgrade agentgateway past v1\.4\.1$/);
  });

  test('plain InferencePool routing (route: {}, scheduler: {}) has no finding of its own', () => {
    const { result, lines } = validate(plain);

    expect(result.ok).toBe(true);
    expect(lines.filter(l => !l.includes('[SEC003]'))).toEqual([]);
  });

  test('as v1alpha1, the other version KServe serves, it validates the same', () => {
    const { errors } = validate(guide, objs => { llmisvc(objs).apiVersion = 'serving.kserve.io/v1alpha1'; });

    expect(errors).toEqual([]);
  });
});

describe('what KServe v0.20.0 creates for an LLMInferenceService', () => {
  const known = (spec: any, extra: Partial<KnownObject> = {}): KnownObject => ({
    file: 'stack.yaml', apiVersion: 'serving.kserve.io/v1alpha2', kind: 'LLMInferenceService', namespace: 'kserve-test', name: 'mock-llm',
    object: { metadata: { name: 'mock-llm', namespace: 'kserve-test', ...extra.object?.metadata }, spec }, ...extra,
  });
  const created = (spec: any, extra: Partial<KnownObject> = {}, more: KnownObject[] = []) => runtimeObjects([known(spec, extra), ...more])
    .filter(o => o.owner).map(o => `${o.kind} ${o.namespace}/${o.name}`);
  const route = (spec: any, more: KnownObject[] = []) => runtimeObjects([known(spec), ...more]).find(o => o.kind === 'HTTPRoute' && o.owner)?.object.spec;

  test('route: {} and scheduler: {}: the route, the InferencePool, the endpoint picker\'s and the model server\'s Services', () => {
    expect(created({ router: { route: {}, scheduler: {} } })).toEqual([
      'Service kserve-test/mock-llm-kserve-workload-svc', 'InferencePool kserve-test/mock-llm-inference-pool',
      'Service kserve-test/mock-llm-epp-service', 'HTTPRoute kserve-test/mock-llm-kserve-route',
    ]);
  });

  test('without a router, only the model server\'s Service', () => {
    expect(created({})).toEqual(['Service kserve-test/mock-llm-kserve-workload-svc']);
  });

  test('no route when the service names its own (http.refs), no pool when its scheduler uses an existing one (pool.ref)', () => {
    expect(created({ router: { route: { http: { refs: [{ name: 'mine' }] } }, scheduler: { pool: { ref: { name: 'shared' } } } } }))
      .toEqual(['Service kserve-test/mock-llm-kserve-workload-svc']);
  });

  test('nothing when stopped', () => {
    expect(created({ router: { route: {}, scheduler: {} } }, { object: { metadata: { annotations: { 'serving.kserve.io/stop': 'true' } } } })).toEqual([]);
  });

  test('KServe\'s route goes to the v1 pool and the model server, through the gateway the inferenceservice-config names', () => {
    const config: KnownObject = { file: 'c.yaml', apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kserve', name: 'inferenceservice-config',
      object: { data: { ingress: JSON.stringify({ kserveIngressGateway: 'gateways/shared' }) } } };

    const spec = route({ router: { route: {}, scheduler: {} } }, [config]);

    expect(spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'shared', namespace: 'gateways' }]);
    expect(spec.rules.flatMap((r: any) => r.backendRefs)).toEqual([
      { group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'mock-llm-inference-pool', port: 8000 },
      { kind: 'Service', name: 'mock-llm-kserve-workload-svc', port: 8000 },
    ]);
  });

  test('the default pool in a route becomes the model server\'s Service without a scheduler, and the named pool with pool.ref', () => {
    const pool = { rules: [{ backendRefs: [{ group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'mock-llm-inference-pool' }] }] };

    expect(route({ router: { route: { http: { spec: pool } } } }).rules[0].backendRefs[0]).toEqual({ group: '', kind: 'Service', name: 'mock-llm-kserve-workload-svc' });
    expect(route({ router: { route: { http: { spec: pool } }, scheduler: { pool: { ref: { name: 'shared' } } } } }).rules[0].backendRefs[0].name).toBe('shared');
  });

  test('the service\'s own route spec replaces the preset field by field; gateway.refs replace its parentRefs', () => {
    const rules = [{ backendRefs: [{ group: 'agentgateway.dev', kind: 'AgentgatewayBackend', name: 'b' }] }];

    const spec = route({ router: { route: { http: { spec: { rules } } }, gateway: { refs: [{ name: 'gw', namespace: 'edge' }] }, scheduler: {} } });

    expect(spec.rules).toEqual(rules);
    expect(spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw', namespace: 'edge' }]);
  });

  test('names follow kmeta.ChildName, hashed past 63 characters', () => {
    const long = 'a'.repeat(60);

    const plan = llmisvcPlan({ ...known({}), name: long });

    expect(plan.names.route).toHaveLength(63);
    expect(plan.names.route.endsWith('-kserve-route')).toBe(true);
  });
});

describe('the route spec an LLMInferenceService writes is checked like any HTTPRoute\'s, where it is written', () => {
  test('a backendRef to an AgentgatewayBackend that does not exist', () => {
    const { errors } = validate(guide, objs => { llmisvc(objs).spec.router.route.http.spec.rules[0].backendRefs[0].name = 'mock-llm-backnd'; });

    expect(errors).toEqual([expect.stringMatching(
      /^stack\.yaml: LLMInferenceService kserve-test\/mock-llm: \.spec\.router\.route\.http\.spec\.rules\[0\]\.backendRefs\[0\]: AgentgatewayBackend kserve-test\/mock-llm-backnd not found/)]);
  });

  test('a parent Gateway that does not admit the service\'s namespace', () => {
    const { errors } = validate(guide, objs => { of(objs, 'Gateway').spec.listeners[0].allowedRoutes.namespaces.from = 'Same'; });

    expect(errors).toEqual([expect.stringMatching(
      /LLMInferenceService kserve-test\/mock-llm: \.spec\.router\.route\.http\.spec\.parentRefs\[0\]: Gateway kserve\/kserve-ingress-gateway does not accept this route: listener "http" admits routes from namespace "kserve" only/)]);
  });

  test('a gateway.refs Gateway that does not exist, reported at the ref', () => {
    const { errors } = validate(plain, objs => { llmisvc(objs).spec.router.gateway = { refs: [{ name: 'edge', namespace: 'kserve' }] }; });

    expect(errors).toEqual([expect.stringMatching(/\.spec\.router\.gateway\.refs\[0\]: Gateway kserve\/edge not found/)]);
  });

  test('what KServe\'s preset writes is KServe\'s: its gateway is not looked for in the input', () => {
    const { errors } = validate(plain, objs => objs.splice(objs.indexOf(of(objs, 'Gateway')), 1));

    expect(errors).toEqual([]);
  });

  test('http.refs and pool.ref must name objects that exist', () => {
    const { errors } = validate(plain, objs => {
      llmisvc(objs).spec.router = { route: { http: { refs: [{ name: 'mine' }] } }, scheduler: { pool: { ref: { name: 'shared' } } } };
    });

    expect(errors).toEqual([
      expect.stringMatching(/\.spec\.router\.route\.http\.refs\[0\]: HTTPRoute kserve-test\/mine not found/),
      expect.stringMatching(/\.spec\.router\.scheduler\.pool\.ref: InferencePool kserve-test\/shared not found/),
    ]);
  });

  test('an AI backend on a Service or InferencePool that does not exist', () => {
    const { errors } = validate(guide, objs => {
      of(objs, 'AgentgatewayBackend').spec.ai.provider.custom.backendRef = { kind: 'Service', name: 'vllm', port: 8000 };
    });

    expect(errors).toEqual([expect.stringMatching(/AgentgatewayBackend kserve-test\/mock-llm-backend: \.spec\.ai\.provider\.custom\.backendRef: Service kserve-test\/vllm not found/)]);
  });
});

describe('LLM001: a name KServe does not give what it creates', () => {
  test('the route name of older docs, -llminferenceservice-route, says the right one', () => {
    const { errors } = validate(guide, objs => { of(objs, 'AgentgatewayPolicy').spec.targetRefs[0].name = 'mock-llm-llminferenceservice-route'; });

    expect(errors).toEqual([expect.stringMatching(
      /AgentgatewayPolicy kserve-test\/mock-llm-token-budget: \.spec\.targetRefs\[0\]: \[LLM001\] HTTPRoute kserve-test\/mock-llm-llminferenceservice-route is not a name KServe v0\.20\.0 gives an object of LLMInferenceService kserve-test\/mock-llm \("-llminferenceservice-route" is the suffix of older KServe releases and docs\): .* Fix: use mock-llm-kserve-route \(its route\)$/)]);
  });

  test('any other <name>-<suffix>, in an AI backend or a route\'s backendRef', () => {
    const { errors } = validate(guide, objs => {
      of(objs, 'AgentgatewayBackend').spec.ai.provider.custom.backendRef.name = 'mock-llm-pool';
      objs.push({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'models', namespace: 'kserve-test' },
        spec: { parentRefs: [{ name: 'kserve-ingress-gateway', namespace: 'kserve' }], rules: [{ backendRefs: [{ name: 'mock-llm-workload', port: 8000 }] }] } });
    });

    expect(errors).toEqual([
      expect.stringMatching(/AgentgatewayBackend kserve-test\/mock-llm-backend: .*\[LLM001\] InferencePool kserve-test\/mock-llm-pool is not a name .* Fix: use mock-llm-inference-pool \(its InferencePool\)$/),
      expect.stringMatching(/HTTPRoute kserve-test\/models: \.spec\.rules\[0\]\.backendRefs\[0\]: \[LLM001\] Service kserve-test\/mock-llm-workload .* Fix: use mock-llm-kserve-workload-svc \(its model server Service\); or use mock-llm-epp-service/),
    ]);
  });

  test('is quiet for the names KServe creates, and for names not derived from an LLMInferenceService', () => {
    const { errors, lines } = validate(guide, objs => {
      objs.push({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'models', namespace: 'kserve-test' },
        spec: { parentRefs: [{ name: 'kserve-ingress-gateway', namespace: 'kserve' }], rules: [{ backendRefs: [{ name: 'mock-llm-kserve-workload-svc', port: 8000 }, { name: 'other', port: 80 }] }] } });
    });

    expect(lines.filter(l => l.includes('[LLM0'))).toEqual([]);
    expect(errors).toEqual([expect.stringMatching(/backendRefs\[1\]: Service kserve-test\/other not found/)]);
  });
});

describe('LLM002: an InferencePool in the transitional group inference.networking.x-k8s.io', () => {
  test('in a route\'s backendRef', () => {
    const { errors } = validate(plain, objs => objs.push({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'models', namespace: 'kserve-test' },
      spec: { parentRefs: [{ name: 'kserve-ingress-gateway', namespace: 'kserve' }], rules: [{ backendRefs: [{ group: 'inference.networking.x-k8s.io', kind: 'InferencePool', name: 'mock-llm-inference-pool' }] }] } }));

    expect(errors).toEqual([expect.stringMatching(
      /HTTPRoute kserve-test\/models: \.spec\.rules\[0\]\.backendRefs\[0\]: \[LLM002\] InferencePool kserve-test\/mock-llm-inference-pool is referenced in group inference\.networking\.x-k8s\.io: .* Fix: set group: inference\.networking\.k8s\.io/)]);
  });

  test('in an AI backend the CRD refuses too: the finding says the fix the CRD\'s message does not', () => {
    const { errors } = validate(guide, objs => { of(objs, 'AgentgatewayBackend').spec.ai.provider.custom.backendRef.group = 'inference.networking.x-k8s.io'; });

    expect(errors).toEqual([
      expect.stringMatching(/\.spec\.ai\.provider\.custom: Invalid value: custom provider backendRef may target only Service or InferencePool$/),
      expect.stringMatching(/\.spec\.ai\.provider\.custom\.backendRef: \[LLM002\] .* Fix: set group: inference\.networking\.k8s\.io/),
    ]);
  });

  test('is quiet for the v1 group', () => {
    expect(validate(guide).lines.filter(l => l.includes('[LLM002]'))).toEqual([]);
  });
});

describe('LLM003: a name KServe gives, for an object this spec does not make it create', () => {
  test('the pool of a service without a managed scheduler', () => {
    const { errors } = validate(guide, objs => { delete llmisvc(objs).spec.router.scheduler; });

    expect(errors).toEqual([expect.stringMatching(
      /AgentgatewayBackend kserve-test\/mock-llm-backend: \.spec\.ai\.provider\.custom\.backendRef: \[LLM003\] InferencePool kserve-test\/mock-llm-inference-pool is what KServe names the InferencePool of LLMInferenceService kserve-test\/mock-llm, but it does not create it: it has no managed scheduler \(spec\.router\.scheduler is not set\): .* Fix: set spec\.router\.scheduler: \{\} so KServe creates the pool and its endpoint picker, or route to the model server's Service mock-llm-kserve-workload-svc directly$/)]);
  });

  test('the pool of a service whose scheduler uses an existing pool', () => {
    const { errors } = validate(guide, objs => {
      llmisvc(objs).spec.router.scheduler = { pool: { ref: { name: 'shared' } } };
      objs.push({ apiVersion: 'inference.networking.k8s.io/v1', kind: 'InferencePool', metadata: { name: 'shared', namespace: 'kserve-test' },
        spec: { selector: { matchLabels: { app: 'x' } }, targetPorts: [{ number: 8000 }], endpointPickerRef: { name: 'epp', port: { number: 9002 } } } });
    });

    expect(errors).toEqual([expect.stringMatching(/\[LLM003\] .*its scheduler uses the existing InferencePool "shared".* Fix: reference the InferencePool "shared" it uses$/)]);
  });

  test('the route of a service that names its own routes', () => {
    const { errors } = validate(guide, objs => {
      llmisvc(objs).spec.router.route = { http: { refs: [{ name: 'mine' }] } };
      objs.push({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'mine', namespace: 'kserve-test' },
        spec: { parentRefs: [{ name: 'kserve-ingress-gateway', namespace: 'kserve' }], rules: [{ backendRefs: [{ group: 'agentgateway.dev', kind: 'AgentgatewayBackend', name: 'mock-llm-backend' }] }] } });
    });

    expect(errors).toEqual([expect.stringMatching(/AgentgatewayPolicy kserve-test\/mock-llm-token-budget: \.spec\.targetRefs\[0\]: \[LLM003\] HTTPRoute kserve-test\/mock-llm-kserve-route .* it uses its own HTTPRoutes \(spec\.router\.route\.http\.refs\)/)]);
  });

  test('is quiet when the service has a managed scheduler', () => {
    expect(validate(guide).errors).toEqual([]);
  });
});
