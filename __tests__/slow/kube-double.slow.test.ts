// The kubectl double refuses what a fresh API server refuses: the deploy tests mean something only if it does.
import * as fs from 'fs';
import * as path from 'path';
import { Kubectl } from '../../lib/ops/kubectl';
import { SMALL_STACK } from '../deploy-helpers';
import { kubeDouble } from '../kube-double/build';

const GUARD = fs.readFileSync(path.join(SMALL_STACK, '0000-guard.k8s.yaml'), 'utf8');
const doc = (kind: string) => GUARD.split(/^---\n/m).find(d => new RegExp(`^kind: ${kind}$`, 'm').test(d))!;
const join = (...docs: string[]) => docs.join('---\n');

/** A fresh cluster whose controllers take a minute: nothing is ready until a test moves the clock on. */
function cluster(extra: NodeJS.ProcessEnv = {}) {
  const c = kubeDouble({ KUBE_DOUBLE_DELAY_MS: '60000', ...extra });
  const kubectl = new Kubectl({ env: c.env });
  const apply = (input: string, ...flags: string[]) => kubectl.run(['apply', '--server-side', '--field-manager=test', ...flags, '-f', '-'], input);
  return { ...c, apply, run: (args: string[], input?: string) => kubectl.run(args, input) };
}

describe('the kubectl double', () => {
  jest.setTimeout(30_000);
  test.concurrent('refuses a custom resource sent in the same apply as its CRD, as kubectl does, and applies the rest', async () => {
    const c = cluster();
    const r = await c.apply(join(doc('CustomResourceDefinition'), doc('Rule')));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: resource mapping not found for name: "default" namespace: "" from "STDIN": no matches for kind "Rule" in version ' +
      '"guard.example.com/v1"\nensure CRDs are installed first\n');
    expect(r.stdout).toBe('customresourcedefinition.apiextensions.k8s.io/rules.guard.example.com serverside-applied\n');
  });

  test.concurrent('serves a kind only once its CRD is Established, which takes a while', async () => {
    const c = cluster();
    expect((await c.apply(doc('CustomResourceDefinition'))).code).toBe(0);
    expect((await c.apply(doc('Rule'))).stderr).toMatch(/no matches for kind "Rule"/);
    expect((await c.run(['wait', '--for=condition=Established', '--timeout=0', 'crd/rules.guard.example.com'])).stderr)
      .toBe('error: timed out waiting for the condition on customresourcedefinitions/rules.guard.example.com\n');
    c.advance(60_000);
    expect((await c.run(['wait', '--for=condition=Established', '--timeout=5s', 'crd/rules.guard.example.com'])).code).toBe(0);
    expect((await c.apply(doc('Rule'))).code).toBe(0);
  });

  test.concurrent('refuses a namespaced object whose Namespace does not exist, and accepts it after its Namespace in the same apply', async () => {
    const c = cluster();
    expect((await c.apply(doc('Service'))).stderr).toBe('Error from server (NotFound): namespaces "guard" not found\n');
    expect((await c.apply(join(doc('Namespace'), doc('Service')))).code).toBe(0);
  });

  test.concurrent('refuses what a webhook matches until the webhook\'s Service has a ready endpoint, i.e. its Deployment is Available', async () => {
    const c = cluster();
    expect((await c.apply(doc('CustomResourceDefinition'))).code).toBe(0);
    expect((await c.apply(join(doc('Namespace'), doc('Service'), doc('ValidatingWebhookConfiguration')))).code).toBe(0);
    c.advance(60_000);
    expect((await c.apply(doc('Rule'))).stderr).toBe('Error from server (InternalError): Internal error occurred: failed calling webhook "rules.guard.example.com": ' +
      'failed to call webhook: Post "https://guard-webhook.guard.svc:443/validate?timeout=10s": no endpoints available for service "guard-webhook"\n');
    expect((await c.apply(doc('Deployment'))).code).toBe(0);
    expect((await c.apply(doc('Rule'))).stderr).toMatch(/no endpoints available for service "guard-webhook"/);
    c.advance(60_000);
    const ready = await c.run(['wait', '-n', 'guard', 'endpointslice', '-l', 'kubernetes.io/service-name=guard-webhook', '--for=jsonpath={.endpoints[0].conditions.ready}=true', '--timeout=5s']);
    expect(ready.code).toBe(0);
    expect((await c.apply(doc('Rule'))).code).toBe(0);
  });

  test.concurrent('lets through what a webhook\'s objectSelector excludes, and never refuses for a webhook with failurePolicy Ignore', async () => {
    const c = cluster();
    const hook = doc('ValidatingWebhookConfiguration');
    const selective = hook.replace('    rules:', '    objectSelector:\n      matchLabels:\n        guarded: "yes"\n    rules:');
    await c.apply(join(doc('CustomResourceDefinition'), doc('Namespace'), doc('Service'), selective));
    c.advance(60_000);
    expect((await c.apply(doc('Rule'))).code).toBe(0);
    expect((await c.apply(doc('Rule').replace('  name: default', '  name: other\n  labels:\n    guarded: "yes"'))).stderr).toMatch(/failed calling webhook/);
    await c.apply(hook.replace('    rules:', '    failurePolicy: Ignore\n    rules:'));
    expect((await c.apply(doc('Rule').replace('  name: default', '  name: third'))).code).toBe(0);
  });

  test.concurrent('a second identical server-side apply by the same field manager changes nothing; another manager conflicts', async () => {
    const c = cluster();
    const objects = join(doc('Namespace'), doc('Service'));
    await c.apply(objects);
    const before = c.objects();
    expect((await c.apply(objects)).code).toBe(0);
    expect(c.objects()).toEqual(before);
    expect(c.journal()).toEqual(['created namespace/guard', 'created service/guard-webhook', 'unchanged namespace/guard', 'unchanged service/guard-webhook']);
    const changed = doc('Service').replace('port: 443', 'port: 8443');
    expect((await c.run(['apply', '--server-side', '--field-manager=other', '-f', '-'], changed)).stderr).toMatch(/^error: Apply failed with 1 conflict: conflict with "test"/);
    expect((await c.run(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], changed)).code).toBe(0);
  });

  test.concurrent('a Deployment is Available only once the Secret it mounts exists (issued by a Certificate, or applied)', async () => {
    const c = cluster();
    const deployment = doc('Deployment').replace('      containers:', '      volumes:\n        - name: cert\n          secret:\n            secretName: guard-tls\n      containers:');
    await c.apply(join(doc('Namespace'), deployment));
    c.advance(120_000);
    expect((await c.run(['wait', '-n', 'guard', '--for=condition=Available', '--timeout=0', 'deployment/guard'])).stderr)
      .toBe('error: timed out waiting for the condition on deployments/guard\n');
    expect((await c.apply('apiVersion: v1\nkind: Secret\nmetadata:\n  name: guard-tls\n  namespace: guard\n')).code).toBe(0);
    c.advance(60_000);
    expect((await c.run(['wait', '-n', 'guard', '--for=condition=Available', '--timeout=5s', 'deployment/guard'])).code).toBe(0);
  });

  test.concurrent('refuses what kubectl or a 1.32 server refuses: unknown flags, removed API versions, waits on missing objects', async () => {
    const c = cluster();
    expect((await c.run(['apply', '--prune', '-f', '-'], '')).stderr).toBe('error: unknown flag: --prune\n');
    const pdb = 'apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: x\n  namespace: default\n';
    expect((await c.apply(pdb)).stderr).toMatch(/no matches for kind "PodDisruptionBudget" in version "policy\/v1beta1"/);
    expect((await c.run(['wait', '-n', 'guard', '--for=condition=Available', 'deployment/guard'])).stderr).toBe('Error from server (NotFound): deployments.apps "guard" not found\n');
  });

  test.concurrent('deleting a Namespace deletes what it holds; it is gone after a while', async () => {
    const c = cluster();
    await c.apply(join(doc('Namespace'), doc('Service')));
    expect((await c.run(['delete', '--wait=false', 'namespace/guard'])).stdout).toBe('namespace "guard" deleted\n');
    expect(c.journal().slice(2)).toEqual(['deleted service/guard-webhook', 'deleted namespace/guard']);
    const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: late\n  namespace: guard\n';
    expect((await c.apply(configMap)).stderr).toMatch(/configmaps "late" is forbidden: unable to create new content in namespace guard because it is being terminated/);
    c.advance(120_000);
    expect((await c.run(['wait', '--for=delete', '--timeout=0', 'namespace/guard'])).code).toBe(0);
    expect((await c.apply(configMap)).stderr).toBe('Error from server (NotFound): namespaces "guard" not found\n');
  });
});
