/**
 * A real Kubernetes control plane on loopback for the project's tests, in the manner of controller-runtime's
 * envtest: etcd, kube-apiserver, kube-controller-manager and kube-scheduler are the real programs, built from
 * Kubernetes' own Go modules (`cluster/`, one binary `kcp`); a node/pod simulator plays the kubelets, and the
 * stand-ins play cert-manager, its cainjector, the webhook servers and the status of controllers this harness does
 * not run (see `cluster/internal/standins`). Every process runs in its own process group and is stopped by its id.
 *
 * Dev and test tooling: the library never imports this file.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as https from 'https';
import * as net from 'net';
import * as path from 'path';
import { LLMISVC_NAME_SUFFIXES } from '../../lib/shared/kserve-conventions';

export const REPO = path.resolve(__dirname, '..', '..');
const MODULE = path.join(REPO, 'cluster');
/** Where `kcp` is built (ignored by git). */
export const BIN = path.join(REPO, '.cache', 'cluster', 'bin', 'kcp');
/** The default run directory: certificates, etcd's data, logs, the kubeconfig and the state file. */
export const DEFAULT_DIR = path.join(REPO, '.cache', 'cluster', 'run');
/**
 * The Service ClusterIP range, inside loopback: kube-apiserver dials a webhook Service at its ClusterIP, and the
 * webhook stand-in listens there (only while the Service has a ready endpoint), so no traffic leaves the machine.
 */
export const SERVICE_CIDR = '127.96.0.0/16';

/** What a running control plane left in its directory. */
export interface ControlPlaneState {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly server: string;
  readonly processes: { readonly name: string; readonly pid: number; readonly log: string }[];
  readonly started: string;
}

/** Options for {@link startControlPlane}. */
export interface StartOptions {
  /** The run directory. @default DEFAULT_DIR */
  readonly dir?: string;
  /** Bounds the whole start-up (build excluded). @default 120000 */
  readonly timeoutMs?: number;
  /** Progress lines. @default - none */
  readonly log?: (line: string) => void;
}

export class ControlPlaneError extends Error {}

const stateFile = (dir: string) => path.join(dir, 'state.json');

/** Builds `kcp` (incremental: the Go build cache makes a rebuild with nothing changed take seconds). */
export function buildKcp(log: (line: string) => void = () => undefined): void {
  const started = Date.now();
  // The release go.mod pins, stamped as Kubernetes' own build stamps it, so `kubectl version` names it.
  const release = /^\s*k8s\.io\/kubernetes (v\d+\.(\d+)\.\d+)$/m.exec(fs.readFileSync(path.join(MODULE, 'go.mod'), 'utf8'));
  if (!release) throw new ControlPlaneError(`${path.join(MODULE, 'go.mod')} requires no k8s.io/kubernetes release`);
  const stamp = ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap(pkg =>
    [`-X ${pkg}.gitVersion=${release[1]}`, `-X ${pkg}.gitMajor=1`, `-X ${pkg}.gitMinor=${release[2]}`, `-X ${pkg}.gitTreeState=clean`]);
  try {
    execFileSync('go', ['build', '-ldflags', stamp.join(' '), '-o', BIN, './cmd/kcp'], { cwd: MODULE, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    throw new ControlPlaneError(`go build of ${path.relative(REPO, MODULE)}/cmd/kcp failed (see above); the Go module proxy must be reachable on a first build`);
  }
  log(`built ${path.relative(REPO, BIN)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** The state of the control plane in `dir` if one is up (some process of it alive), else undefined. */
export function readState(dir = DEFAULT_DIR): ControlPlaneState | undefined {
  let state: ControlPlaneState;
  try {
    state = JSON.parse(fs.readFileSync(stateFile(dir), 'utf8'));
  } catch {
    return undefined;
  }
  return state.processes.some(p => alive(p.pid)) ? state : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: any) {
    return e.code === 'EPERM';
  }
}

/** A free port on 127.0.0.1 (the kernel's choice; held only while asked, as envtest does). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Starts a control plane in `dir` and returns its state; on any failure, stops what it started and throws. */
export async function startControlPlane(options: StartOptions = {}): Promise<ControlPlaneState> {
  const dir = path.resolve(options.dir ?? DEFAULT_DIR);
  const log = options.log ?? (() => undefined);
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const running = readState(dir);
  if (running) throw new ControlPlaneError(`a control plane is already up in ${dir} (since ${running.started}); stop it with: npm run cluster -- down`);
  if (!fs.existsSync(BIN)) throw new ControlPlaneError(`${BIN} is not built: run npm run cluster -- up (it builds first)`);
  fs.rmSync(dir, { recursive: true, force: true });
  const pki = path.join(dir, 'pki');
  const logs = path.join(dir, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  execFileSync(BIN, ['certs', pki], { stdio: ['ignore', 'inherit', 'inherit'] });

  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfig = path.join(dir, 'kubeconfig');
  fs.writeFileSync(kubeconfig, kubeconfigText(server, pki), { mode: 0o600 });
  const processes: ControlPlaneState['processes'][number][] = [];
  const state: ControlPlaneState = { dir, kubeconfig, server, processes, started: new Date().toISOString() };
  const children: ChildProcess[] = [];
  const start = (name: string, args: string[]) => {
    const logFile = path.join(logs, `${name}.log`);
    const fd = fs.openSync(logFile, 'a');
    // detached: its own process group, so `down` stops it and anything it started, by id.
    const child = spawn(BIN, [name, ...args], { detached: true, stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    child.unref();
    children.push(child);
    processes.push({ name, pid: child.pid!, log: logFile });
    fs.writeFileSync(stateFile(dir), JSON.stringify(state, null, 2));
    log(`started ${name} (pid ${child.pid}), log: ${path.relative(process.cwd(), logFile)}`);
  };
  const waitFor = async (what: string, ready: () => Promise<boolean>) => {
    while (!(await ready().catch(() => false))) {
      const dead = processes.find(p => !alive(p.pid));
      if (dead) throw new ControlPlaneError(`${dead.name} exited during start-up; its log: ${dead.log}\n${tail(dead.log)}`);
      if (Date.now() > deadline) throw new ControlPlaneError(`${what} was not ready in time; logs in ${logs}`);
      await sleep(200);
    }
    log(`${what} ready`);
  };
  try {
    start('etcd', ['--data-dir', path.join(dir, 'etcd'), '--client-url', `http://127.0.0.1:${etcdClient}`, '--peer-url', `http://127.0.0.1:${etcdPeer}`]);
    await waitFor('etcd', () => httpOk(`http://127.0.0.1:${etcdClient}/health`, pki, false));
    start('kube-apiserver', [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`,
      `--cert-dir=${pki}`, `--tls-cert-file=${pki}/apiserver.crt`, `--tls-private-key-file=${pki}/apiserver.key`,
      `--client-ca-file=${pki}/ca.crt`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki}/sa.pub`, `--service-account-signing-key-file=${pki}/sa.key`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--authorization-mode=RBAC', '--allow-privileged=true', '--profiling=false',
      // The endpoints of the `kubernetes` Service would be 127.0.0.1, which Endpoints validation refuses.
      '--endpoint-reconciler-type=none',
    ]);
    await waitFor('kube-apiserver', () => httpOk(`${server}/readyz`, pki, true));
    start('kube-controller-manager', [
      `--kubeconfig=${kubeconfig}`, '--leader-elect=false', '--secure-port=0', '--controllers=*',
      `--service-account-private-key-file=${pki}/sa.key`, `--root-ca-file=${pki}/ca.crt`, '--use-service-account-credentials=true',
      `--cluster-signing-cert-file=${pki}/ca.crt`, `--cluster-signing-key-file=${pki}/ca.key`, `--service-cluster-ip-range=${SERVICE_CIDR}`,
    ]);
    start('kube-scheduler', [`--kubeconfig=${kubeconfig}`, '--leader-elect=false', '--secure-port=0']);
    start('simulator', ['--kubeconfig', kubeconfig]);
    // The llmisvc controller stand-in names what it makes with the suffixes the library knows KServe uses.
    start('standins', ['--kubeconfig', kubeconfig, '--pki', pki, '--llmisvc-suffixes', JSON.stringify(LLMISVC_NAME_SUFFIXES)]);
    await waitFor('nodes', async () => /"Ready","status":"True"/.test(await get(`${server}/api/v1/nodes/kcp-node-0`, pki)));
    await waitFor('default ServiceAccount', async () => (await get(`${server}/api/v1/namespaces/default/serviceaccounts/default`, pki)).includes('"name":"default"'));
    return state;
  } catch (e) {
    stopControlPlane(dir);
    throw e;
  }
}

/** Stops every process of the control plane in `dir` by its process group, then removes the directory. */
export function stopControlPlane(dir = DEFAULT_DIR, options: { keep?: boolean; graceMs?: number } = {}): string[] {
  let state: ControlPlaneState | undefined;
  try {
    state = JSON.parse(fs.readFileSync(stateFile(dir), 'utf8'));
  } catch {
    // nothing recorded: nothing of ours to stop
  }
  const stopped: string[] = [];
  const procs = [...(state?.processes ?? [])].reverse();
  for (const p of procs) {
    if (!alive(p.pid)) continue;
    try {
      process.kill(-p.pid, 'SIGTERM');
      stopped.push(`${p.name} (pid ${p.pid})`);
    } catch {
      // gone meanwhile
    }
  }
  const until = Date.now() + (options.graceMs ?? 10_000);
  while (procs.some(p => alive(p.pid)) && Date.now() < until) execFileSync('sleep', ['0.1']);
  for (const p of procs) {
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (!options.keep) fs.rmSync(dir, { recursive: true, force: true });
  return stopped;
}

function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function kubeconfigText(server: string, pki: string): string {
  const b64 = (f: string) => fs.readFileSync(path.join(pki, f)).toString('base64');
  return `apiVersion: v1
kind: Config
clusters:
- name: kcp
  cluster:
    server: ${server}
    certificate-authority-data: ${b64('ca.crt')}
users:
- name: kcp-admin
  user:
    client-certificate-data: ${b64('admin.crt')}
    client-key-data: ${b64('admin.key')}
contexts:
- name: kcp
  context:
    cluster: kcp
    user: kcp-admin
current-context: kcp
`;
}

function request(url: string, pki: string, tls: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const opts = tls ? {
      ca: fs.readFileSync(path.join(pki, 'ca.crt')), cert: fs.readFileSync(path.join(pki, 'admin.crt')), key: fs.readFileSync(path.join(pki, 'admin.key')),
    } : {};
    const mod = tls ? https : require('http');
    const req = mod.get(url, { ...opts, timeout: 2000 }, (res: any) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function httpOk(url: string, pki: string, tls: boolean): Promise<boolean> {
  return (await request(url, pki, tls)).status === 200;
}

async function get(url: string, pki: string): Promise<string> {
  return (await request(url, pki, true)).body.replace(/\s/g, '');
}
