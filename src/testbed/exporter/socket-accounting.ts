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
 * sockets in a process of hollow agents) reads each socket's counters and nothing else.
 */
class ProcessSocketAccounting implements SocketAccounting {
  /** Always holds UNKNOWN_ADDRESS, under which the unplaced sockets are counted. */
  private readonly byAddress = new Map<string, AddressBytes>([[UNKNOWN_ADDRESS, noBytes()]]);
  /** Each live socket's address, or undefined until its local address is known. */
  private readonly live = new Map<Socket, AddressBytes | undefined>();
  /** The live sockets whose local address is not known yet (still connecting). */
  private readonly unplaced = new Set<Socket>();
  private readonly excluded = new WeakSet<Socket>();

  readonly onSocket = (message: unknown): void => {
    const socket = (message as { socket?: unknown } | null)?.socket;
    if (socket instanceof Socket) this.track(socket);
  };

  track(socket: Socket): void {
    if (this.live.has(socket) || this.excluded.has(socket)) return;
    this.live.set(socket, undefined);
    this.unplaced.add(socket);
    // getsockname only answers while the handle is open, so learn the address on connect.
    this.place(socket);
    if (this.unplaced.has(socket)) {
      socket.once('connect', () => {
        this.place(socket);
      });
    }
    socket.once('close', () => {
      if (!this.live.has(socket)) return;
      this.place(socket);
      const home = this.live.get(socket) ?? this.address(UNKNOWN_ADDRESS);
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
    return this.live.size;
  }

  snapshot(): Map<string, ByteCounts> {
    for (const socket of this.unplaced) this.place(socket);
    const out = new Map<string, ByteCounts>();
    for (const [address, a] of this.byAddress) {
      let receivedBytes = a.closedReceived;
      let sentBytes = a.closedSent;
      for (const socket of a.live) {
        receivedBytes += socket.bytesRead;
        sentBytes += bytesWritten(socket);
      }
      if (address === UNKNOWN_ADDRESS) {
        // Sockets still connecting may have bytes queued already.
        for (const socket of this.unplaced) {
          receivedBytes += socket.bytesRead;
          sentBytes += bytesWritten(socket);
        }
      }
      if (receivedBytes !== 0 || sentBytes !== 0) out.set(address, { receivedBytes, sentBytes });
    }
    return out;
  }

  /** Files a live socket under its local address once the address is known. */
  private place(socket: Socket): void {
    if (!this.unplaced.has(socket)) return;
    const address = socket.localAddress;
    if (address === undefined || address === '') return;
    const home = this.address(plainIPv4(address));
    home.live.add(socket);
    this.live.set(socket, home);
    this.unplaced.delete(socket);
  }

  private forget(socket: Socket): void {
    this.live.get(socket)?.live.delete(socket);
    this.live.delete(socket);
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
