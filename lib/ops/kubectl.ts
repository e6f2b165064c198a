import { spawn } from 'child_process';

/** The result of one kubectl call. */
export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

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

  /** Runs one call to completion. */
  public run(args: readonly string[], input?: string): Promise<KubectlResult> {
    return new Promise(resolve => {
      const child = spawn(this.bin, this.args(args), { env: { ...process.env, ...this.options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', d => (stdout += d));
      child.stderr.on('data', d => (stderr += d));
      child.on('error', e => resolve({ code: 127, stdout, stderr: `${stderr}cannot run ${this.bin}: ${e.message}` }));
      child.on('close', code => resolve({ code: code ?? 1, stdout, stderr }));
      child.stdin.end(input ?? '');
    });
  }
}
