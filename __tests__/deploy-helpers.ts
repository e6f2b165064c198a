// Shared by the deploy tests: runs the CLIs against a kubectl double and captures what they print.
import * as fs from 'fs';
import * as path from 'path';
import { runDeploy } from '../lib/cli/deploy';
import { runDestroy } from '../lib/cli/destroy';
import { KubeDouble, kubeDouble } from './kube-double/build';
import { writeSmallStack } from './small-stack';

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
