/**
 * `npm run cluster -- up|down|status|build [--dir DIR]`: a real Kubernetes control plane on loopback for tests (see
 * control-plane.ts). `up` builds `kcp` from `cluster/` (incremental), starts it and prints the kubeconfig's path;
 * `down` stops every process it started, by process id, and removes its directory.
 * Exit 0: done; 1: failed; 2: bad arguments.
 */
import { parseArgs } from 'util';
import { buildKcp, ControlPlaneError, DEFAULT_DIR, readState, startControlPlane, stopControlPlane } from './control-plane';

const HELP = `A real Kubernetes control plane on loopback for tests: etcd, kube-apiserver, kube-controller-manager and
kube-scheduler built from Kubernetes' own Go modules (cluster/), a node/pod simulator, and the stand-ins for
cert-manager, webhook servers and the controllers this harness does not run.

Usage: npm run cluster -- up|down|status|build [--dir DIR]

Commands:
  up       build (incremental) and start; prints the kubeconfig path (export KUBECONFIG=...)
  down     stop every process it started, by process id, and remove its directory
  status   say whether one is up, and its processes
  build    only build kcp (incremental)

Flags:
  --dir DIR   the run directory (certificates, etcd data, logs, kubeconfig)   default: .cache/cluster/run
  -h, --help  this help

Exit codes:
  0  done (status: one is up)
  1  failed (status: none is up)
  2  bad arguments

Example:
  npm run cluster -- up && export KUBECONFIG=$PWD/.cache/cluster/run/kubeconfig && kubectl get nodes
`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e: any) {
    process.stderr.write(`cluster: ${e.message}\n${HELP}`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [command, ...extra] = parsed.positionals;
  const dir = parsed.values.dir ?? DEFAULT_DIR;
  if (!['up', 'down', 'status', 'build'].includes(command ?? '') || extra.length > 0) {
    process.stderr.write(`cluster: ${command ? `unknown command ${JSON.stringify([command, ...extra].join(' '))}` : 'a command is required'}\n${HELP}`);
    return 2;
  }
  const log = (line: string) => process.stderr.write(`cluster: ${line}\n`);
  if (command === 'down') {
    const stopped = stopControlPlane(dir);
    log(stopped.length ? `stopped ${stopped.join(', ')}; removed ${dir}` : `nothing was running in ${dir}; removed it`);
    return 0;
  }
  if (command === 'status') {
    const state = readState(dir);
    if (!state) {
      process.stdout.write(`no control plane is up in ${dir}\n`);
      return 1;
    }
    process.stdout.write(`up since ${state.started}: ${state.server}\nkubeconfig: ${state.kubeconfig}\n${state.processes.map(p => `  ${p.name} pid ${p.pid}`).join('\n')}\n`);
    return 0;
  }
  const started = Date.now();
  try {
    buildKcp(log);
    if (command === 'build') return 0;
    const state = await startControlPlane({ dir, log });
    log(`up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${state.server}`);
    process.stdout.write(`${state.kubeconfig}\n`);
    return 0;
  } catch (e: any) {
    process.stderr.write(`cluster: ${e instanceof ControlPlaneError ? e.message : e?.message ?? e}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(code => (process.exitCode = code));
