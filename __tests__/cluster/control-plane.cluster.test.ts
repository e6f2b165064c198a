// The local control plane is the real thing, and the kubectl double (kept for fast tests) refuses what it refuses.
import * as fs from 'fs';
import * as path from 'path';
import { Kubectl } from '../../lib/ops/kubectl';
import { buildKubeDouble, kubeDouble } from '../kube-double/build';
import { guardObjects, yamlOf } from '../small-stack';
import { withControlPlane } from './harness';

jest.setTimeout(120_000);
const live = withControlPlane();
const [crd, namespace, service, deployment, webhook, rule] = guardObjects();
const apply = (..._: string[]) => ['apply', '--server-side', '--field-manager=test', '-f', '-'] as const;

describe('the local control plane', () => {
  test('is a real kube-apiserver of the pinned release', async () => {
    const r = await live().kubectl(['version', '-o', 'json']);
    expect(JSON.parse(r.stdout).serverVersion).toMatchObject({ gitVersion: 'v1.34.4', major: '1', minor: '34' });
  });

  test('refuses, on a server-side dry run, an object its CRD\'s CEL rule forbids', async () => {
    const celCrd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'budgets.cel.example.com' },
      spec: {
        group: 'cel.example.com', scope: 'Namespaced', names: { kind: 'Budget', plural: 'budgets' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: {
          type: 'object',
          properties: { spec: { type: 'object', properties: { min: { type: 'integer' }, max: { type: 'integer' } },
            'x-kubernetes-validations': [{ rule: 'self.min <= self.max', message: 'min must not exceed max' }] } },
        } } }],
      },
    };
    expect((await live().kubectl([...apply('')], yamlOf([celCrd]))).code).toBe(0);
    expect((await live().kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/budgets.cel.example.com'])).code).toBe(0);
    const budget = (min: number, max: number) => yamlOf([{ apiVersion: 'cel.example.com/v1', kind: 'Budget', metadata: { name: 'b', namespace: 'default' }, spec: { min, max } }]);
    const refused = await live().kubectl([...apply(''), '--dry-run=server'], budget(5, 1));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/The Budget "b" is invalid: spec: Invalid value: "object": min must not exceed max/);
    expect((await live().kubectl([...apply(''), '--dry-run=server'], budget(1, 5))).code).toBe(0);
  });

  test('runs the real controllers: a Deployment becomes Available, its Service gets ready endpoints, a Namespace with pods finalizes', async () => {
    const objects = yamlOf([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web' } },
      { ...deployment, metadata: { name: 'web', namespace: 'web' }, spec: { ...(deployment as any).spec, replicas: 2 } },
      { ...service, metadata: { name: 'web', namespace: 'web' }, spec: { selector: { app: 'guard' }, ports: [{ port: 80 }] } }]);
    expect((await live().kubectl([...apply('')], objects)).code).toBe(0);
    expect((await live().kubectl(['wait', '-n', 'web', '--for=condition=Available', '--timeout=60s', 'deployment/web'])).code).toBe(0);
    const ready = await live().kubectl(['wait', '-n', 'web', 'endpointslice', '-l', 'kubernetes.io/service-name=web', '--for=jsonpath={.endpoints[1].conditions.ready}=true', '--timeout=60s']);
    expect(ready.code).toBe(0);
    const pods = JSON.parse((await live().kubectl(['get', 'pods', '-n', 'web', '-o', 'json'])).stdout).items;
    expect(pods.map((p: any) => [p.status.phase, p.status.podIP !== undefined])).toEqual([['Running', true], ['Running', true]]);
    expect((await live().kubectl(['delete', 'namespace/web', '--timeout=90s'])).code).toBe(0);
    expect((await live().kubectl(['get', 'namespace/web'])).stderr).toMatch(/namespaces "web" not found/);
  });
});

describe('what the kubectl double refuses, the real server refuses the same way', () => {
  /** Runs the same kubectl call against the double (its controllers instant) and the real server. */
  const double = (delayMs = 0) => {
    buildKubeDouble();
    const c = kubeDouble({ KUBE_DOUBLE_DELAY_MS: String(delayMs) });
    const k = new Kubectl({ env: c.env });
    return (args: readonly string[], input?: string) => k.run(args, input);
  };
  const firstLine = (s: string) => s.trim();

  test('a custom resource in the same apply as its CRD: no mapping for its kind', async () => {
    const d = double();
    const input = yamlOf([{ ...crd, metadata: { name: 'rules.guard.example.com' } }, rule]);
    const [fromDouble, fromServer] = [await d(apply(''), input), await live().kubectl([...apply('')], input)];
    expect(fromServer.code).toBe(fromDouble.code);
    expect(firstLine(fromServer.stderr)).toBe(firstLine(fromDouble.stderr));
  });

  test('a namespaced object whose Namespace does not exist: NotFound', async () => {
    const d = double();
    const input = yamlOf([{ ...service, metadata: { name: 'orphan', namespace: 'nowhere' } }]);
    const [fromDouble, fromServer] = [await d(apply(''), input), await live().kubectl([...apply('')], input)];
    expect(fromServer.code).toBe(fromDouble.code);
    expect(firstLine(fromServer.stderr)).toBe(firstLine(fromDouble.stderr));
  });

  test('a removed API version: no mapping for its kind', async () => {
    const d = double();
    const pdb = 'apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: x\n  namespace: default\n';
    const [fromDouble, fromServer] = [await d(apply(''), pdb), await live().kubectl([...apply('')], pdb)];
    expect(fromServer.code).toBe(fromDouble.code);
    expect(fromServer.stderr).toMatch(/no matches for kind "PodDisruptionBudget" in version "policy\/v1beta1"/);
    expect(fromDouble.stderr).toMatch(/no matches for kind "PodDisruptionBudget" in version "policy\/v1beta1"/);
  });

  test('a wait on an object that does not exist: NotFound', async () => {
    const d = double();
    const args = ['wait', '-n', 'default', '--for=condition=Available', '--timeout=1s', 'deployment/absent'];
    const [fromDouble, fromServer] = [await d(args), await live().kubectl(args)];
    expect(fromServer.code).toBe(fromDouble.code);
    expect(firstLine(fromServer.stderr)).toBe(firstLine(fromDouble.stderr));
  });

  test('what a webhook gates, while its Service has no ready endpoint: the call fails and the server refuses', async () => {
    const d = double();
    // The webhook trusts the harness CA, as cainjector would make it (the stand-in serves a certificate from it).
    const caBundle = fs.readFileSync(path.join(live().state.dir, 'pki', 'ca.crt')).toString('base64');
    const trusted = { ...webhook, webhooks: (webhook as any).webhooks.map((w: any) => ({ ...w, clientConfig: { ...w.clientConfig, caBundle } })) };
    const guard = yamlOf([crd, namespace, service, trusted]);
    for (const run of [(a: readonly string[], i?: string) => d(a, i), (a: readonly string[], i?: string) => live().kubectl([...a], i)]) {
      expect((await run(apply(''), guard)).code).toBe(0);
      expect((await run(['wait', '--for=condition=Established', '--timeout=60s', 'crd/rules.guard.example.com'])).code).toBe(0);
    }
    const [fromDouble, fromServer] = [await d(apply(''), yamlOf([rule])), await live().kubectl([...apply('')], yamlOf([rule]))];
    // The cause after the URL is how the call failed to connect: "no endpoints available" where the server resolves
    // endpoints itself, "connection refused" where it dials the ClusterIP and nothing answers (as here, and as with kube-proxy).
    const refusal = /^Error from server \(InternalError\): Internal error occurred: failed calling webhook "rules.guard.example.com": failed to call webhook: Post "https:\/\/guard-webhook.guard.svc:443\/validate\?timeout=10s": /;
    expect(fromServer.stderr).toMatch(refusal);
    expect(fromDouble.stderr).toMatch(refusal);
    expect(fromServer.stderr).toMatch(/connect: connection refused/);
    // Once the webhook's Deployment is Available, its endpoint is ready and the call is admitted.
    expect((await live().kubectl([...apply('')], yamlOf([deployment]))).code).toBe(0);
    expect((await live().kubectl(['wait', '-n', 'guard', 'endpointslice', '-l', 'kubernetes.io/service-name=guard-webhook', '--for=jsonpath={.endpoints[0].conditions.ready}=true', '--timeout=60s'])).code).toBe(0);
    let admitted = await live().kubectl([...apply('')], yamlOf([rule]));
    // The stand-in starts listening within its poll interval (0.5 s) of the endpoint turning ready.
    for (let i = 0; i < 20 && admitted.code !== 0; i++) {
      await new Promise(r => setTimeout(r, 250));
      admitted = await live().kubectl([...apply('')], yamlOf([rule]));
    }
    expect(admitted.stderr).toBe('');
    expect(admitted.code).toBe(0);
  });

  test('a server-side apply of a field another manager owns: a conflict naming the manager', async () => {
    const d = double();
    const ns = yamlOf([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'owned' } }, { ...service, metadata: { name: 'owned', namespace: 'owned' } }]);
    const changed = yamlOf([{ ...service, metadata: { name: 'owned', namespace: 'owned' }, spec: { ...(service as any).spec, selector: { app: 'other' } } }]);
    const other = ['apply', '--server-side', '--field-manager=other', '-f', '-'];
    for (const run of [(a: readonly string[], i?: string) => d(a, i), (a: readonly string[], i?: string) => live().kubectl([...a], i)]) {
      expect((await run(apply(''), ns)).code).toBe(0);
      const r = await run(other, changed);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: Apply failed with 1 conflict: conflict with "test"/);
    }
  });

  test('a new object in a Namespace being deleted: Forbidden, then NotFound once it is gone', async () => {
    const d = double(60_000);
    const held = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', namespace: 'ending', finalizers: ['example.com/hold'] } };
    const late = yamlOf([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: 'ending' } }]);
    expect((await d(apply(''), yamlOf([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ending' } }]))).code).toBe(0);
    expect((await live().kubectl([...apply('')], yamlOf([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ending' } }, held]))).code).toBe(0);
    await d(['delete', '--wait=false', 'namespace/ending']);
    await live().kubectl(['delete', '--wait=false', 'namespace/ending']);
    const [fromDouble, fromServer] = [await d(apply(''), late), await live().kubectl([...apply('')], late)];
    const forbidden = /configmaps "late" is forbidden: unable to create new content in namespace ending because it is being terminated/;
    expect(fromDouble.stderr).toMatch(forbidden);
    expect(fromServer.stderr).toMatch(forbidden);
    // The finalizer released, the real namespace controller finishes.
    await live().kubectl(['patch', '-n', 'ending', 'configmap/held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    expect((await live().kubectl(['wait', '--for=delete', '--timeout=90s', 'namespace/ending'])).code).toBe(0);
  });
});
