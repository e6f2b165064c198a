/**
 * Runs an external command (kubectl) so that a time limit holds whatever the command leaves behind: the command runs
 * in a process group of its own, killed whole when its time is up or when this process is interrupted; its pipes are
 * let go within a moment of its exit even if a grandchild keeps them open; what it prints is captured up to a bound.
 */
import { ChildProcess, spawn } from 'child_process';

/** What one run gave. */
export interface ChildResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Killed because it outlived its time limit. */
  readonly killed?: boolean;
}

/** Options for {@link runChild}. */
export interface ChildOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Written to its standard input, which is then closed. @default - empty */
  readonly input?: string;
  /** Kill the whole group after this long. @default - no limit */
  readonly timeoutMs?: number;
  /** Characters of standard output kept (head and tail beyond that). @default 64 MiB */
  readonly maxStdout?: number;
  /** Characters of standard error kept (head and tail beyond that). @default 1 MiB */
  readonly maxStderr?: number;
}

/** Between SIGTERM and SIGKILL of a group whose time is up. */
const KILL_GRACE_MS = 400;
/** How long the pipes may stay open after the command exited (a grandchild holding them) before they are let go. */
const PIPE_GRACE_MS = 300;

/** Process groups running now: killed when this process is interrupted, so nothing outlives the command. */
const running = new Set<number>();
let signalsHandled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

function handleSignals(): void {
  if (signalsHandled) return;
  signalsHandled = true;
  // However this process ends (process.exit on a closed pipe, an error), no kubectl it started outlives it.
  process.on('exit', () => {
    for (const pid of running) killGroup(pid, 'SIGKILL');
  });
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.on(signal, () => {
      for (const pid of running) killGroup(pid, 'SIGKILL');
      process.exit(code);
    });
  }
}

/** Text captured up to a bound: the head and the tail, with how much was left out between them. */
export class BoundedText {
  private head = '';
  private tail = '';
  private dropped = 0;

  constructor(private readonly max: number) {}

  public append(chunk: string): void {
    const half = Math.floor(this.max / 2);
    if (this.head.length < half) {
      const take = chunk.slice(0, half - this.head.length);
      this.head += take;
      chunk = chunk.slice(take.length);
    }
    if (chunk.length === 0) return;
    const joined = this.tail + chunk;
    const keep = this.max - half;
    if (joined.length > keep) {
      this.dropped += joined.length - keep;
      this.tail = joined.slice(joined.length - keep);
    } else {
      this.tail = joined;
    }
  }

  public toString(): string {
    return this.dropped === 0 ? this.head + this.tail : `${this.head}\n[... ${this.dropped} characters left out ...]\n${this.tail}`;
  }
}

/** Runs `bin args` to completion, or until `timeoutMs` has passed; never rejects. */
export function runChild(bin: string, args: readonly string[], options: ChildOptions = {}): Promise<ChildResult> {
  handleSignals();
  return new Promise(resolve => {
    let child: ChildProcess;
    const stdout = new BoundedText(options.maxStdout ?? 64 * 1024 * 1024);
    const stderr = new BoundedText(options.maxStderr ?? 1024 * 1024);
    let killed = false;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (code: number) => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      if (child.pid !== undefined) running.delete(child.pid);
      // Let go of the pipes: a grandchild that escaped the group may hold them open forever.
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.stdin?.destroy();
      resolve({ code, stdout: stdout.toString(), stderr: stderr.toString(), killed });
    };
    try {
      child = spawn(bin, [...args], { env: options.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    } catch (e: any) {
      resolve({ code: 127, stdout: '', stderr: `cannot run ${bin}: ${e.message}` });
      return;
    }
    if (child.pid !== undefined) running.add(child.pid);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => stdout.append(d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.append(d));
    child.stdin!.on('error', () => undefined); // a command that exits before reading its input is reported by its exit
    child.on('error', (e: NodeJS.ErrnoException) => {
      stderr.append(`cannot run ${bin}: ${e.code === 'ENOENT' ? 'not found (set $KUBECTL or put kubectl on PATH)' : e.message}`);
      finish(127);
    });
    let exitCode: number | undefined;
    child.on('exit', (code, signal) => {
      exitCode = code ?? (signal ? 128 : 1);
      // Whatever it left in its group goes with it; the output it wrote before exiting is read until the pipes
      // close, or for a moment if something outside the group still holds them.
      if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
      timers.push(setTimeout(() => finish(exitCode!), PIPE_GRACE_MS));
    });
    child.on('close', () => finish(exitCode ?? 1));
    if (options.timeoutMs !== undefined) {
      timers.push(setTimeout(() => {
        killed = true;
        if (child.pid === undefined) return;
        killGroup(child.pid, 'SIGTERM');
        timers.push(setTimeout(() => {
          killGroup(child.pid!, 'SIGKILL');
          // Gone or not (a process in uninterruptible sleep), the caller's time is up.
          timers.push(setTimeout(() => finish(exitCode ?? 137), PIPE_GRACE_MS));
        }, KILL_GRACE_MS));
      }, Math.max(0, options.timeoutMs)));
    }
    child.stdin!.end(options.input ?? '');
  });
}

/** Kills a child's whole process group (it must have been spawned `detached`): SIGTERM, then SIGKILL. */
export async function stopGroup(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
    return;
  }
  const exited = new Promise<void>(done => child.once('exit', () => done()));
  killGroup(child.pid, 'SIGTERM');
  const force = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(force);
  killGroup(child.pid, 'SIGKILL');
}

/** Registers a detached child's group to be killed if this process is interrupted; returns the unregister. */
export function trackGroup(child: ChildProcess): () => void {
  handleSignals();
  if (child.pid === undefined) return () => undefined;
  running.add(child.pid);
  return () => running.delete(child.pid!);
}
