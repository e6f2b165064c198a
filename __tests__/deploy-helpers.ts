// Shared by the deploy tests: runs the CLIs against a kubectl double and captures what they print.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runDeploy } from '../lib/cli/deploy';
import { runDestroy } from '../lib/cli/destroy';
import { KubeDouble, kubeDouble } from './kube-double/build';
import { writeSmallStack, yamlOf } from './small-stack';

/** A small two-phase stack written for these tests (see small-stack.ts), as a dist/ of two files. */
export const SMALL_STACK = writeSmallStack();
/** The namespaces a new cluster has before anyone applies anything. */
export const FRESH_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

export interface Run { code: number; out: string; ms: number }

async function capture(fn: (out: (s: string) => void) => Promise<number>): Promise<Run> {
  let out = '';
  const started = Date.now();
  const code = await fn(s => (out += s));
  return { code, out, ms: Date.now() - started };
}

export const deploy = (argv: string[], cluster: KubeDouble, dist: string) =>
  capture(out => runDeploy(argv, { ...cluster.env, CDK8S_OUTDIR: dist }, out, 20));

export const destroy = (argv: string[], cluster: KubeDouble, dist: string, ask: (q: string) => Promise<boolean | undefined> = async () => undefined) =>
  capture(out => runDestroy(argv, { ...cluster.env, CDK8S_OUTDIR: dist }, out, ask, 20));

/** A copy of a cluster (its state, not its journal), so one deploy serves several destroy tests. */
export function cloneOf(cluster: KubeDouble, extra: NodeJS.ProcessEnv = {}): KubeDouble {
  const copy = kubeDouble(extra);
  fs.cpSync(cluster.stateDir, copy.stateDir, { recursive: true });
  fs.rmSync(path.join(copy.stateDir, 'journal.log'), { force: true });
  return copy;
}

/** `Kind/name` of every object in the cluster that is not being deleted. */
export const present = (c: KubeDouble) => Object.values(c.objects()).map(o => `${o.kind}/${o.name}`).sort();

/** Writes phases (file name without `.k8s.yaml` → objects) as a dist/ in a fresh directory; returns it. */
export function writeStack(phases: Record<string, object[]>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-stack-'));
  for (const [name, objects] of Object.entries(phases)) fs.writeFileSync(path.join(dir, `${name}.k8s.yaml`), yamlOf(objects));
  return dir;
}

/**
 * A CRD (`conversions.convert.example.com`, kind Conversion) serving v1 and v2, which the API server converts between
 * by calling a webhook behind Service `convert/converter`, as KServe's LLMInferenceService CRD does.
 */
export const convertingCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'conversions.convert.example.com' },
  spec: {
    conversion: {
      strategy: 'Webhook',
      webhook: { clientConfig: { service: { name: 'converter', namespace: 'convert', path: '/convert', port: 443 } }, conversionReviewVersions: ['v1'] },
    },
    group: 'convert.example.com',
    names: { kind: 'Conversion', plural: 'conversions' },
    scope: 'Namespaced',
    versions: ['v1', 'v2'].map(name => ({ name, served: true, storage: name === 'v2', schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } })),
  },
};

/** The converter's Namespace, Service and Deployment. */
export const converterObjects = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'convert' } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'converter', namespace: 'convert' }, spec: { selector: { app: 'converter' }, ports: [{ port: 443 }] } },
  {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'converter', namespace: 'convert' },
    spec: { selector: { matchLabels: { app: 'converter' } }, template: { metadata: { labels: { app: 'converter' } }, spec: { containers: [{ name: 'c', image: `c@sha256:${'0'.repeat(64)}` }] } } },
  },
];

/** A custom resource of {@link convertingCrd}. */
export const conversion = (name: string, namespace = 'convert') => ({ apiVersion: 'convert.example.com/v2', kind: 'Conversion', metadata: { name, namespace } });
