/**
 * Unary gRPC calls over one node:http2 session per client, without grpc-js: the apiservers make
 * a few kinds of small etcd calls thousands of times a second, and grpc-js's call machinery
 * (interceptors, channel and subchannel layers, protobufjs, retry policies) cost more napi CPU
 * than the request itself (see docs/adr/0014-napi-write-path.md). Framing: a 5-byte prefix
 * (uncompressed flag, big-endian length) per message; the status comes in `grpc-status`.
 */
import http2 from 'node:http2';

export class GrpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** gRPC UNAVAILABLE: raised here too for connection failures, so callers can tell them apart. */
export const UNAVAILABLE = 14;
const DEADLINE_EXCEEDED = 4;

export interface GrpcUnaryOptions {
  /** e.g. ['http://127.1.0.1:2379']; calls go to one, moving on when its connection fails. */
  endpoints: readonly string[];
  /** Longest time one call may take. @default 30000 */
  callTimeoutMs?: number;
}

export class GrpcUnaryClient {
  private readonly endpoints: readonly string[];
  private readonly timeoutMs: number;
  private current: number;
  private session: http2.ClientHttp2Session | undefined;
  private closed = false;
  private inFlight = 0;

  constructor(opts: GrpcUnaryOptions) {
    if (opts.endpoints.length === 0) throw new Error('no etcd endpoints');
    this.endpoints = opts.endpoints;
    this.timeoutMs = opts.callTimeoutMs ?? 30_000;
    // Like etcd3's client: start on a random member so several apiservers spread out.
    this.current = Math.floor(Math.random() * opts.endpoints.length);
  }

  private connect(): http2.ClientHttp2Session {
    if (this.closed) throw new GrpcError(UNAVAILABLE, 'etcd client is closed');
    if (this.session !== undefined && !this.session.closed && !this.session.destroyed) return this.session;
    const endpoint = this.endpoints[this.current] ?? '';
    const session = http2.connect(endpoint);
    const forget = (): void => {
      if (this.session === session) this.session = undefined;
    };
    session.on('error', () => {
      // The member is gone or refusing: the next call tries the next member.
      forget();
      this.current = (this.current + 1) % this.endpoints.length;
    });
    session.on('goaway', forget);
    session.on('close', forget);
    session.unref(); // an idle etcd connection must not keep a process alive (see call())
    this.session = session;
    return session;
  }

  /** Sends one request message to `path` (e.g. `/etcdserverpb.KV/Range`) and returns the reply. */
  call(path: string, message: Buffer): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      let session: http2.ClientHttp2Session;
      try {
        session = this.connect();
      } catch (e: unknown) {
        reject(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      // Held open while calls are in flight, like any other pending I/O.
      if (this.inFlight++ === 0) session.ref();
      const done = (): void => {
        if (--this.inFlight === 0) this.session?.unref();
      };
      const stream = session.request({
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc',
        te: 'trailers',
      });
      const chunks: Buffer[] = [];
      let status: number | undefined;
      let statusMessage = '';
      const takeStatus = (headers: http2.IncomingHttpHeaders): void => {
        const s = headers['grpc-status'];
        if (s === undefined) return;
        status = Number(s);
        const m = headers['grpc-message'];
        statusMessage = typeof m === 'string' ? percentDecoded(m) : '';
      };
      stream.on('response', takeStatus);
      stream.on('trailers', takeStatus);
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.setTimeout(this.timeoutMs, () => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        reject(new GrpcError(DEADLINE_EXCEEDED, `etcd call ${path} took over ${this.timeoutMs} ms`));
      });
      stream.on('error', (e: Error) => {
        reject(new GrpcError(UNAVAILABLE, `etcd call ${path}: ${e.message}`));
      });
      stream.on('close', () => {
        done();
        if (status === undefined) {
          reject(new GrpcError(UNAVAILABLE, `etcd call ${path}: stream closed without a status`));
          return;
        }
        if (status !== 0) {
          reject(new GrpcError(status, statusMessage));
          return;
        }
        const body = chunks.length === 1 ? (chunks[0] ?? Buffer.alloc(0)) : Buffer.concat(chunks);
        if (body.length < 5) {
          reject(new GrpcError(UNAVAILABLE, `etcd call ${path}: no reply message`));
          return;
        }
        if (body[0] !== 0) {
          reject(new GrpcError(UNAVAILABLE, `etcd call ${path}: compressed reply not supported`));
          return;
        }
        resolve(body.subarray(5, 5 + body.readUInt32BE(1)));
      });
      const frame = Buffer.allocUnsafe(5 + message.length);
      frame[0] = 0;
      frame.writeUInt32BE(message.length, 1);
      message.copy(frame, 5);
      stream.end(frame);
    });
  }

  close(): void {
    this.closed = true;
    this.session?.destroy();
    this.session = undefined;
  }
}

/** grpc-message is percent-encoded; a malformed one is shown as sent rather than thrown. */
function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
