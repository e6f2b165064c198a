// Compiles the kubectl double (TypeScript, run by plain node so each call starts in ~0.1 s) into .cache/, once per
// test run, and hands out fresh clusters through the same $KUBECTL seam the tools use.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const SOURCES = ['builtins', 'cluster', 'input', 'kubectl'];
export const KUBE_DOUBLE_DIR = path.join(__dirname, '..', '..', '.cache', 'kube-double');
/** The executable to put in $KUBECTL. */
export const KUBE_DOUBLE = path.join(KUBE_DOUBLE_DIR, 'kubectl');

export function buildKubeDouble(): string {
  const ts = require('typescript') as typeof import('typescript');
  fs.mkdirSync(KUBE_DOUBLE_DIR, { recursive: true });
  for (const name of SOURCES) {
    const source = fs.readFileSync(path.join(__dirname, `${name}.ts`), 'utf8');
    const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
    fs.writeFileSync(path.join(KUBE_DOUBLE_DIR, `${name}.js`), js);
  }
  fs.writeFileSync(KUBE_DOUBLE, '#!/usr/bin/env node\nrequire(\'./kubectl.js\');\n', { mode: 0o755 });
  return KUBE_DOUBLE;
}

/** A fresh, empty cluster behind the double. */
export interface KubeDouble {
  /** Environment for a tool under test: $KUBECTL is the double, its state a new directory. */
  readonly env: NodeJS.ProcessEnv;
  readonly stateDir: string;
  /** The stored objects by key (`group/plural/namespace/name`), without those being deleted. */
  objects(): Record<string, { kind: string; name: string; namespace?: string; resourceVersion: number; deletedAt?: number }>;
  /** What the server did, one line per write: `created|configured|unchanged|deleted <type>/<name>`. */
  journal(): string[];
  /** Moves the cluster's clock on, as if its controllers had had that much more time. */
  advance(ms: number): void;
}

export function kubeDouble(extra: NodeJS.ProcessEnv = {}): KubeDouble {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-double-'));
  const env = {
    ...process.env,
    KUBECTL: KUBE_DOUBLE,
    KUBE_DOUBLE_STATE: stateDir,
    KUBE_DOUBLE_CACHE: path.join(KUBE_DOUBLE_DIR, 'parsed'),
    KUBE_DOUBLE_DELAY_MS: '20',
    ...extra,
  };
  const read = (f: string) => { try { return fs.readFileSync(path.join(stateDir, f), 'utf8'); } catch { return undefined; } };
  return {
    env,
    stateDir,
    objects: () => Object.fromEntries(Object.entries(JSON.parse(read('state.json') ?? '{"objects":{}}').objects).filter(([, o]: [string, any]) => o.deletedAt === undefined)) as any,
    journal: () => (read('journal.log') ?? '').split('\n').filter(Boolean),
    advance: ms => fs.writeFileSync(path.join(stateDir, 'clock-offset-ms'), String(Number(read('clock-offset-ms') ?? 0) + ms)),
  };
}
