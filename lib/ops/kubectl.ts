import { runChild } from './child-process';

/** The result of one kubectl call. */
export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Killed because it outlived its time limit. */
  readonly killed?: boolean;
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

  /**
   * Runs one call to completion, or until `timeoutMs` has passed: then kubectl's whole process group (credential
   * plugins, wrappers) is killed and the result says `killed`; the call returns within a second of its limit whatever
   * kubectl's children do (see `child-process.ts`).
   */
  public run(args: readonly string[], input?: string, timeoutMs?: number): Promise<KubectlResult> {
    return runChild(this.bin, this.args(args), { env: { ...process.env, ...this.options.env }, input, timeoutMs });
  }
}
