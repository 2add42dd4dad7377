/**
 * A TCP relay on a loopback address in front of one testbed target (I/O): every client connects
 * here, and each connection is piped to the target through two DelayLines, so the supervisor can
 * delay or black-hole that target's traffic for a time (ADR 0034). A partition also stops
 * reading, so senders' buffers fill as behind lost packets, and holds new connections unanswered.
 * While the target is down the relay stops listening, so clients are refused as by the target.
 * Half-open connections are allowed, so an end travels down its line like the bytes before it.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { realTimers } from '../../kube/work-queue.js';
import { DelayLine, PASS, type LineClock, type NetMode } from './delay-line.js';

export interface Upstream {
  host: string;
  port: number;
}

export interface TcpRelayOptions {
  /** Where it listens (the target's own loopback address). */
  host: string;
  /** @default 0 (any free port) */
  port?: number;
  upstream: Upstream;
  clock?: LineClock;
}

const REAL_CLOCK: LineClock = { now: () => performance.now(), timers: realTimers };

/** One side's socket: paused by a partition, or by the other side's full buffer. */
interface Side {
  socket: Socket;
  /** Waiting for the other side's 'drain'. */
  blocked: boolean;
}

interface Relayed {
  client: Side;
  /** Undefined while a partition holds the new connection unanswered. */
  upstream: Side | undefined;
  lines: DelayLine[];
}

export class TcpRelay {
  private server: Server | undefined;
  private mode: NetMode = PASS;
  private readonly conns = new Set<Relayed>();
  private upstream: Upstream;
  private readonly clock: LineClock;
  private portNow = 0;
  /** Closed for good: a late restart's upstreamUp must not listen again (the port would outlive the testbed). */
  private closed = false;

  private constructor(private readonly opts: TcpRelayOptions) {
    this.upstream = opts.upstream;
    this.clock = opts.clock ?? REAL_CLOCK;
  }

  static async start(opts: TcpRelayOptions): Promise<TcpRelay> {
    const relay = new TcpRelay(opts);
    await relay.listen(opts.port ?? 0);
    return relay;
  }

  get host(): string {
    return this.opts.host;
  }

  /** The port clients use (kept across the target's restarts). */
  get port(): number {
    return this.portNow;
  }

  get current(): NetMode {
    return this.mode;
  }

  /** Connections relayed now (held ones included). */
  get connections(): number {
    return this.conns.size;
  }

  setMode(mode: NetMode): void {
    const wasPartitioned = this.mode.kind === 'partition';
    this.mode = mode;
    for (const c of this.conns) {
      for (const line of c.lines) line.setMode(mode);
      if (wasPartitioned && mode.kind !== 'partition' && c.upstream === undefined) this.connectUpstream(c);
      for (const side of [c.client, c.upstream]) if (side !== undefined) this.flow(side);
    }
  }

  /** The target died: refuse connections as it would, until `upstreamUp`. */
  upstreamDown(): void {
    // Stops listening now; connections still open end as their target's side does.
    this.server?.close();
    this.server = undefined;
  }

  /** The target (re)started, maybe on a new port: listen again on the same port. */
  async upstreamUp(upstream: Upstream): Promise<void> {
    this.upstream = upstream;
    if (this.server === undefined && !this.closed) await this.listen(this.portNow);
  }

  async close(): Promise<void> {
    this.closed = true;
    const server = this.server;
    this.server = undefined;
    for (const c of this.conns) this.drop(c);
    if (server !== undefined)
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
  }

  private async listen(port: number): Promise<void> {
    const server = createServer({ pauseOnConnect: true, noDelay: true, allowHalfOpen: true }, (socket) => {
      this.accept(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.opts.host, port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    this.portNow = typeof address === 'object' && address !== null ? address.port : port;
    if (this.closed) server.close();
    else this.server = server;
  }

  private accept(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    const c: Relayed = { client: { socket, blocked: false }, upstream: undefined, lines: [] };
    this.conns.add(c);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      // A client gone before its connection was ever answered: nothing to tell the target.
      if (c.upstream === undefined) this.drop(c);
    });
    // A partition holds a new connection unanswered; the heal connects it (setMode).
    if (this.mode.kind !== 'partition') this.connectUpstream(c);
  }

  private connectUpstream(c: Relayed): void {
    if (c.client.socket.destroyed) {
      this.drop(c);
      return;
    }
    const upstream = connect({
      host: this.upstream.host,
      port: this.upstream.port,
      noDelay: true,
      allowHalfOpen: true,
    });
    upstream.on('error', () => undefined);
    const up: Side = { socket: upstream, blocked: false };
    c.upstream = up;
    const toTarget = new DelayLine(this.mode, this.clock);
    const toClient = new DelayLine(this.mode, this.clock);
    c.lines = [toTarget, toClient];
    this.pipe(c, c.client, up, toTarget);
    this.pipe(c, up, c.client, toClient);
    this.flow(c.client);
  }

  /** `from`'s bytes, end and reset go down `line` to `to`, in order. */
  private pipe(c: Relayed, from: Side, to: Side, line: DelayLine): void {
    from.socket.on('data', (chunk: Buffer) => {
      line.push(() => {
        if (to.socket.destroyed) return;
        if (!to.socket.write(chunk) && !from.blocked) {
          from.blocked = true;
          this.flow(from);
          to.socket.once('drain', () => {
            from.blocked = false;
            this.flow(from);
          });
        }
      });
    });
    from.socket.on('end', () => {
      line.push(() => to.socket.end());
    });
    from.socket.on('close', (hadError) => {
      line.push(() => {
        passClose(to.socket, hadError);
        if (c.client.socket.destroyed && (c.upstream?.socket.destroyed ?? true)) this.drop(c);
      });
    });
  }

  /** Reads from `side` unless a partition or the other side's full buffer says not to. */
  private flow(side: Side): void {
    if (side.socket.destroyed) return;
    if (this.mode.kind === 'partition' || side.blocked) side.socket.pause();
    else side.socket.resume();
  }

  private drop(c: Relayed): void {
    this.conns.delete(c);
    for (const line of c.lines) line.close();
    c.client.socket.destroy();
    c.upstream?.socket.destroy();
  }
}

/**
 * Passes a close on to `to`: a reset as a reset, an orderly close as an end. Node cannot reset a
 * socket whose own end is still being sent (libuv refuses with EINVAL, and Node 20 then never
 * closes the handle, so the process spins at exit); such a socket is destroyed instead, which
 * still closes it at once.
 */
export function passClose(to: Socket, hadError: boolean): void {
  if (!hadError) to.end();
  else if (to.writableEnded && !to.writableFinished) to.destroy();
  else to.resetAndDestroy();
}
