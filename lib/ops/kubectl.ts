import { spawn } from 'child_process';

/** The result of one kubectl call. */
export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Killed because it outlived its time limit. */
  readonly killed?: boolean;
}

/** How long kubectl gets to exit on SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 2000;

/** Runs kubectl (`$KUBECTL`, else `kubectl` on PATH), with `--context` when one is given. */
export class Kubectl {
  /** The executable. */
  public readonly bin: string;

  constructor(private readonly options: { context?: string; env?: NodeJS.ProcessEnv } = {}) {
    this.bin = options.env?.KUBECTL || process.env.KUBECTL || 'kubectl';
  }

  /** The full argument list for a call, as it would run. */
  public args(args: readonly string[]): string[] {
    return this.options.context ? ['--context', this.options.context, ...args] : [...args];
  }

  /** The command line for display (quoted where needed). */
  public display(args: readonly string[]): string {
    return ['kubectl', ...this.args(args)].map(a => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
  }

  /**
   * Runs one call to completion, or until `timeoutMs` has passed: then kubectl is sent SIGTERM (SIGKILL if it is still
   * there after a grace period) and the result says `killed`.
   */
  public run(args: readonly string[], input?: string, timeoutMs?: number): Promise<KubectlResult> {
    return new Promise(resolve => {
      const child = spawn(this.bin, this.args(args), { env: { ...process.env, ...this.options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let killed = false;
      let force: NodeJS.Timeout | undefined;
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        killed = true;
        child.kill('SIGTERM');
        force = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      }, Math.max(0, timeoutMs));
      const done = (r: KubectlResult) => {
        clearTimeout(timer);
        clearTimeout(force);
        resolve(r);
      };
      child.stdout.on('data', d => (stdout += d));
      child.stderr.on('data', d => (stderr += d));
      child.stdin.on('error', () => undefined); // a kubectl that exits before reading its input is reported by its exit
      child.on('error', e => done({ code: 127, stdout, stderr: `${stderr}cannot run ${this.bin}: ${e.message}` }));
      // 'exit', not 'close': a killed kubectl's children could hold its pipes open.
      child.on('exit', code => setImmediate(() => done({ code: code ?? 1, stdout, stderr, killed })));
      child.stdin.end(input ?? '');
    });
  }
}
