// A small two-phase stack written for the deploy tests, as objects: the guard phase is a platform phase as KServe's
// and cert-manager's are (a CRD, a webhook, its server, and a custom resource the webhook admits, so it can only be
// applied once the server has a ready endpoint); the app phase has its own namespace and a custom resource whose
// CRD and webhook came in the phase before. `writeSmallStack()` writes them as a dist/ of two files.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as jsyaml from 'js-yaml';

/** The guard phase's objects; `failurePolicy` is the webhook's (the API server's default, Fail, when unset). */
export function guardObjects(failurePolicy?: 'Fail' | 'Ignore'): object[] {
  return [
    {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'rules.guard.example.com' },
      spec: {
        group: 'guard.example.com',
        names: { kind: 'Rule', plural: 'rules' },
        scope: 'Cluster',
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
      },
    },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'guard' } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'guard-webhook', namespace: 'guard' },
      spec: { selector: { app: 'guard' }, ports: [{ port: 443 }] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'guard', namespace: 'guard' },
      spec: {
        selector: { matchLabels: { app: 'guard' } },
        template: {
          metadata: { labels: { app: 'guard' } },
          spec: { containers: [{ name: 'guard', image: `guard@sha256:${'0'.repeat(64)}` }] },
        },
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'guard' },
      webhooks: [{
        name: 'rules.guard.example.com',
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        clientConfig: { service: { name: 'guard-webhook', namespace: 'guard', path: '/validate' } },
        ...(failurePolicy ? { failurePolicy } : {}),
        rules: [{ apiGroups: ['guard.example.com'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['rules'] }],
      }],
    },
    { apiVersion: 'guard.example.com/v1', kind: 'Rule', metadata: { name: 'default' } },
  ];
}

/** The app phase's objects. */
export function appObjects(): object[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'app' }, data: { mode: 'strict' } },
    { apiVersion: 'guard.example.com/v1', kind: 'Rule', metadata: { name: 'app' } },
  ];
}

/** YAML text of objects, one document each. */
export const yamlOf = (objects: object[]) => objects.map(o => jsyaml.dump(o)).join('---\n');

/** Writes the stack as a dist/ (`0000-guard.k8s.yaml`, `0001-app.k8s.yaml`) in a fresh directory; returns it. */
export function writeSmallStack(guard: object[] = guardObjects()): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'small-stack-'));
  fs.writeFileSync(path.join(dir, '0000-guard.k8s.yaml'), yamlOf(guard));
  fs.writeFileSync(path.join(dir, '0001-app.k8s.yaml'), yamlOf(appObjects()));
  return dir;
}
