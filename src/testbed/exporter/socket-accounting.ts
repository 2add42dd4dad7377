/**
 * Exact TCP byte counts of this process, per local address: every testbed node has its own
 * loopback address, so the bytes a socket moves belong to the node whose address it is bound
 * to. Sockets are found through node's diagnostics channels: `net.client.socket` (every
 * `net.connect`, which node:http's agent, undici, fetch and http2/gRPC clients use) and
 * `net.server.socket` (every accepted connection). A socket's `bytesRead` / `bytesWritten` go
 * to its address's closed total when it closes; a snapshot adds the live sockets' counts.
 *
 * What is counted is TCP payload (what the application wrote and read), not the IP and TCP
 * headers an interface counter would include. `bytesWritten` includes bytes handed to the
 * socket but still queued. Not seen: sockets made with `new net.Socket().connect()` directly
 * and TLS sockets (none on the testbed).
 */
import dc from 'node:diagnostics_channel';
import { Socket } from 'node:net';

export interface ByteCounts {
  receivedBytes: number;
  sentBytes: number;
}

export interface SocketAccounting {
  /** Bytes per local address (dotted IPv4, or `unknown`): closed sockets' totals plus live ones'. */
  snapshot(): Map<string, ByteCounts>;
  /** Leaves a socket's bytes out, e.g. the stats server's own scrapes. */
  exclude(socket: Socket): void;
  /** Sockets open now. */
  liveSockets(): number;
}

/** For a socket that closed before anyone learnt its local address. */
export const UNKNOWN_ADDRESS = 'unknown';

const CHANNELS = ['net.client.socket', 'net.server.socket'] as const;
const GLOBAL_KEY = Symbol.for('kos-test.socket-accounting');

/** One local address: what its closed sockets moved, and its sockets open now. */
interface AddressBytes {
  closedReceived: number;
  closedSent: number;
  readonly live: Set<Socket>;
}

/**
 * Live sockets are kept by address, so that a snapshot (once a second, over thousands of
 * sockets in a process of hollow agents) reads each socket's counters and nothing else. A live
 * socket is in exactly one of `placed` (its address known) and `unplaced` (still connecting).
 */
class ProcessSocketAccounting implements SocketAccounting {
  /** Always holds UNKNOWN_ADDRESS, under which the unplaced sockets are counted. */
  private readonly byAddress = new Map<string, AddressBytes>([[UNKNOWN_ADDRESS, noBytes()]]);
  private readonly placed = new Map<Socket, AddressBytes>();
  private readonly unplaced = new Set<Socket>();
  private readonly excluded = new WeakSet<Socket>();

  readonly onSocket = (message: unknown): void => {
    const socket = (message as { socket?: unknown } | null)?.socket;
    if (socket instanceof Socket) this.track(socket);
  };

  track(socket: Socket): void {
    if (this.isLive(socket) || this.excluded.has(socket)) return;
    this.unplaced.add(socket);
    // getsockname only answers while the handle is open, so learn the address on connect.
    this.place(socket);
    if (this.unplaced.has(socket)) {
      socket.once('connect', () => {
        this.place(socket);
      });
    }
    socket.once('close', () => {
      if (!this.isLive(socket)) return;
      this.place(socket);
      const home = this.placed.get(socket) ?? this.address(UNKNOWN_ADDRESS);
      this.forget(socket);
      home.closedReceived += socket.bytesRead;
      home.closedSent += bytesWritten(socket);
    });
  }

  exclude(socket: Socket): void {
    this.excluded.add(socket);
    this.forget(socket);
  }

  liveSockets(): number {
    return this.placed.size + this.unplaced.size;
  }

  snapshot(): Map<string, ByteCounts> {
    for (const socket of this.unplaced) this.place(socket);
    const out = new Map<string, ByteCounts>();
    for (const [address, a] of this.byAddress) {
      const c = { receivedBytes: a.closedReceived, sentBytes: a.closedSent };
      addLive(c, a.live);
      // Sockets still connecting may have bytes queued already.
      if (address === UNKNOWN_ADDRESS) addLive(c, this.unplaced);
      if (c.receivedBytes !== 0 || c.sentBytes !== 0) out.set(address, c);
    }
    return out;
  }

  private isLive(socket: Socket): boolean {
    return this.placed.has(socket) || this.unplaced.has(socket);
  }

  /** Files a live socket under its local address once the address is known. */
  private place(socket: Socket): void {
    if (!this.unplaced.has(socket)) return;
    const address = socket.localAddress;
    if (address === undefined || address === '') return;
    const home = this.address(plainIPv4(address));
    home.live.add(socket);
    this.placed.set(socket, home);
    this.unplaced.delete(socket);
  }

  private forget(socket: Socket): void {
    this.placed.get(socket)?.live.delete(socket);
    this.placed.delete(socket);
    this.unplaced.delete(socket);
  }

  private address(address: string): AddressBytes {
    let a = this.byAddress.get(address);
    if (a === undefined) {
      a = noBytes();
      this.byAddress.set(address, a);
    }
    return a;
  }
}

/** Adds what the live `sockets` have moved so far to `c`. */
function addLive(c: ByteCounts, sockets: Iterable<Socket>): void {
  for (const socket of sockets) {
    c.receivedBytes += socket.bytesRead;
    c.sentBytes += bytesWritten(socket);
  }
}

function noBytes(): AddressBytes {
  return { closedReceived: 0, closedSent: 0, live: new Set() };
}

/**
 * Starts counting this process's sockets (from now on) and returns the accounting; idempotent
 * per process, also across copies of this module.
 */
export function installSocketAccounting(): SocketAccounting {
  const holder = globalThis as { [GLOBAL_KEY]?: ProcessSocketAccounting };
  const existing = holder[GLOBAL_KEY];
  if (existing !== undefined) return existing;
  const accounting = new ProcessSocketAccounting();
  for (const name of CHANNELS) dc.subscribe(name, accounting.onSocket);
  holder[GLOBAL_KEY] = accounting;
  return accounting;
}

/** Typed as a number, but undefined for a socket whose write state is gone. */
function bytesWritten(socket: Socket): number {
  const n = socket.bytesWritten;
  return Number.isFinite(n) ? n : 0;
}

/** `::ffff:127.2.0.1` (a dual-stack listener's view) is `127.2.0.1`. */
function plainIPv4(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
