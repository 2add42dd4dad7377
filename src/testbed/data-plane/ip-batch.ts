/**
 * One long-lived `ip -force -batch -` per agent group, fed over stdin: a tested attachment's veth
 * pair costs netlink messages instead of four `ip` processes (each a fork of the agent group's
 * large process, on its event loop). ip runs the lines in order and, with -force, goes on after
 * a failure, writing its message and `Command failed -:LINE` to stderr; each request ends with a
 * line bound to fail (a device that cannot exist), so its marker says the request is done, and the
 * markers before it say which of its lines failed and why. The process ends with our stdin (so
 * also when the agent group is killed with -9).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** No interface is ever named so (names are at most 15 characters): the sync line always fails. */
const SYNC_LINE = 'link show dev kt-batch-sync-line';
const FAILED = /^Command failed -:(\d+)$/;
const SAFE_ARG = /^[A-Za-z0-9_.:/-]+$/;

/** The failures of one request's lines, by index in the request; empty when every line worked. */
export type BatchErrors = Map<number, string>;

interface Request {
  /** Line numbers in its ip process: its first command's, and its sync line's. */
  first: number;
  sync: number;
  errors: BatchErrors;
  resolve(errors: BatchErrors): void;
  reject(e: Error): void;
}

/**
 * Reads ip's stderr (pure state, fed line by line): message lines gather until a failure marker,
 * which names the line they belong to.
 */
export class FailureLines {
  private message: string[] = [];

  /** A marker gives the failed line's number and its message; other lines return undefined. */
  push(line: string): { line: number; message: string } | undefined {
    const m = FAILED.exec(line);
    if (m === null) {
      if (line !== '') this.message.push(line);
      return undefined;
    }
    const message = this.message.join('; ');
    this.message = [];
    return { line: Number(m[1]), message };
  }
}

/** Errors a stale name cache gives as well as a missing device. */
const NO_DEVICE = /No such device|Cannot find device/;

/** One ip process and the requests it has been given. */
interface Session {
  child: ChildProcessByStdio<Writable, null, Readable>;
  lines: number;
  pending: Request[];
}

export class IpBatch {
  private session: Session | undefined;
  private stopped = false;

  /** `netns`: the namespace ip runs in (every line's devices are named from there). */
  constructor(private readonly netns: string) {}

  /**
   * Runs `commands` (ip argument lists without `ip`) in order; resolves with the lines that
   * failed. ip keeps every interface index it looked up by name for its lifetime, so a device
   * deleted and made again under the same name (a bridge a test deleted, a pair for a reused
   * address) looks missing to it: a request that finds a device missing runs once more in a new
   * ip process before the answer counts.
   */
  async run(commands: readonly (readonly string[])[]): Promise<BatchErrors> {
    if (this.stopped) throw new Error(`ip -batch in ${this.netns}: stopped`);
    for (const c of commands) {
      const bad = c.find((a) => !SAFE_ARG.test(a));
      if (bad !== undefined) throw new Error(`ip -batch: unsafe argument ${JSON.stringify(bad)}`);
    }
    const session = this.session ?? this.start();
    const fresh = session.lines === 0;
    const errors = await this.send(session, commands);
    if (fresh || ![...errors.values()].some((m) => NO_DEVICE.test(m))) return errors;
    if (this.session === session) {
      this.session = undefined;
      session.child.stdin.end();
    }
    return this.send(this.session ?? this.start(), commands);
  }

  /** Ends ip (it exits at the end of its input); resolves once it has. */
  async stop(): Promise<void> {
    this.stopped = true;
    const session = this.session;
    this.session = undefined;
    if (session === undefined) return;
    await new Promise<void>((resolve) => {
      session.child.once('close', () => {
        resolve();
      });
      session.child.stdin.end();
    });
  }

  private send(session: Session, commands: readonly (readonly string[])[]): Promise<BatchErrors> {
    const first = session.lines + 1;
    session.lines += commands.length + 1;
    const text = `${[...commands.map((c) => c.join(' ')), SYNC_LINE].join('\n')}\n`;
    return new Promise<BatchErrors>((resolve, reject) => {
      session.pending.push({ first, sync: session.lines, errors: new Map(), resolve, reject });
      session.child.stdin.write(text);
    });
  }

  private start(): Session {
    const child = spawn('ip', ['-n', this.netns, '-force', '-batch', '-'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    const session: Session = { child, lines: 0, pending: [] };
    this.session = session;
    const failures = new FailureLines();
    let partial = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) {
        const failed = failures.push(text);
        if (failed !== undefined) this.failed(session, failed.line, failed.message);
      }
    });
    // A write to an ip that died: its close below rejects what is pending.
    child.stdin.on('error', () => undefined);
    const gone = (why: string): void => {
      if (this.session === session) this.session = undefined;
      for (const r of session.pending.splice(0)) r.reject(new Error(`ip -batch in ${this.netns} ${why}`));
    };
    child.on('error', (e) => {
      gone(`could not run: ${e.message}`);
    });
    child.on('close', (code, signal) => {
      gone(`exited (${signal ?? `code ${String(code)}`})`);
    });
    return session;
  }

  private failed(session: Session, line: number, message: string): void {
    const head = session.pending[0];
    if (head === undefined || line < head.first) return;
    if (line < head.sync) {
      head.errors.set(line - head.first, message);
      return;
    }
    session.pending.shift();
    head.resolve(head.errors);
  }
}
