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

interface Entry {
  address: string | undefined;
}

class ProcessSocketAccounting implements SocketAccounting {
  private readonly closed = new Map<string, ByteCounts>();
  private readonly live = new Map<Socket, Entry>();
  private readonly excluded = new WeakSet<Socket>();

  readonly onSocket = (message: unknown): void => {
    const socket = (message as { socket?: unknown } | null)?.socket;
    if (socket instanceof Socket) this.track(socket);
  };

  track(socket: Socket): void {
    if (this.live.has(socket) || this.excluded.has(socket)) return;
    const entry: Entry = { address: undefined };
    this.live.set(socket, entry);
    // getsockname only answers while the handle is open, so learn the address on connect.
    if (socket.connecting || socket.localAddress === undefined) {
      socket.once('connect', () => {
        learnAddress(socket, entry);
      });
    } else {
      learnAddress(socket, entry);
    }
    socket.once('close', () => {
      this.live.delete(socket);
      if (this.excluded.has(socket)) return;
      learnAddress(socket, entry);
      addCounts(this.closed, entry.address, socket.bytesRead, bytesWritten(socket));
    });
  }

  exclude(socket: Socket): void {
    this.excluded.add(socket);
    this.live.delete(socket);
  }

  liveSockets(): number {
    return this.live.size;
  }

  snapshot(): Map<string, ByteCounts> {
    const out = new Map<string, ByteCounts>();
    for (const [address, c] of this.closed) out.set(address, { ...c });
    for (const [socket, entry] of this.live) {
      learnAddress(socket, entry);
      addCounts(out, entry.address, socket.bytesRead, bytesWritten(socket));
    }
    return out;
  }
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

function learnAddress(socket: Socket, entry: Entry): void {
  if (entry.address !== undefined) return;
  const address = socket.localAddress;
  if (address !== undefined && address !== '') entry.address = plainIPv4(address);
}

/** `::ffff:127.2.0.1` (a dual-stack listener's view) is `127.2.0.1`. */
function plainIPv4(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function addCounts(
  into: Map<string, ByteCounts>,
  address: string | undefined,
  received: number,
  sent: number,
): void {
  if (received === 0 && sent === 0) return;
  const key = address ?? UNKNOWN_ADDRESS;
  const c = into.get(key);
  if (c === undefined) {
    into.set(key, { receivedBytes: received, sentBytes: sent });
  } else {
    c.receivedBytes += received;
    c.sentBytes += sent;
  }
}
