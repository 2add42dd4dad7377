/**
 * One etcd watch on a key range, as a bidirectional gRPC stream over node:http2 (no grpc-js; see
 * docs/adr/0014-napi-write-path.md). Like the etcd3 client it replaces, it asks for progress
 * notifications and, when the stream breaks (a member restarting or dying), it opens it again on
 * the next member from the revision after the last one it saw, so no event is lost or repeated.
 * Only a compaction past that revision, or etcd cancelling the watch, ends it: through onError
 * (etcd 3.4 first confirms a watch from a compacted revision, then cancels it).
 */
import http2 from 'node:http2';
import { decodeWatchResponse, encodeWatchCreate, type WatchResponse } from './watch-messages.js';

export type { WatchEvent, WatchResponse } from './watch-messages.js';

export interface EtcdWatchOptions {
  endpoints: readonly string[];
  key: Buffer;
  rangeEnd: Buffer;
  /** The first revision to receive. */
  startRevision: number;
  prevKv: boolean;
  /** Responses with events, and progress notifications (no events, a newer header revision). */
  onResponse: (res: WatchResponse) => void;
  /** The watch has ended for good (compaction, cancellation). Not called after cancel(). */
  onError: (e: Error) => void;
  /** @default 250 */
  reconnectDelayMs?: number;
}

export class EtcdWatch {
  private session: http2.ClientHttp2Session | undefined;
  private endpoint: number;
  private next: number;
  private ended = false;
  private timer: NodeJS.Timeout | undefined;

  private constructor(private readonly opts: EtcdWatchOptions) {
    this.endpoint = Math.floor(Math.random() * opts.endpoints.length);
    this.next = opts.startRevision;
  }

  /** Opens the watch; resolves once etcd has created it (or rejects, e.g. when compacted). */
  static open(opts: EtcdWatchOptions): Promise<EtcdWatch> {
    const watch = new EtcdWatch(opts);
    return new Promise((resolve, reject) => {
      watch.connect(
        () => {
          resolve(watch);
        },
        (e) => {
          watch.cancel();
          reject(e);
        },
      );
    });
  }

  /**
   * One stream attempt. `created` runs when etcd confirms the watch; `failed` when this attempt
   * cannot go on and must not be retried (only before the first confirmation, or for good).
   */
  private connect(created: () => void, failed: (e: Error) => void): void {
    if (this.ended) return;
    const session = http2.connect(this.opts.endpoints[this.endpoint] ?? '');
    this.session = session;
    session.on('error', () => undefined); // reported through the stream's close below
    const stream = session.request({
      ':method': 'POST',
      ':path': '/etcdserverpb.Watch/Watch',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    let confirmed = false;
    let pending: Buffer = Buffer.alloc(0);
    stream.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 5) {
        const len = pending.readUInt32BE(1);
        if (pending.length < 5 + len) break;
        const res = decodeWatchResponse(pending.subarray(5, 5 + len));
        pending = pending.subarray(5 + len);
        if (res.canceled) {
          const e =
            res.compactRevision > 0
              ? new Error(`etcd watch: required revision has been compacted (${res.compactRevision})`)
              : new Error(`etcd watch canceled: ${res.cancelReason}`);
          this.finish(session);
          if (confirmed) this.opts.onError(e);
          else failed(e);
          return;
        }
        if (res.created && !confirmed) {
          confirmed = true;
          created();
        }
        this.deliver(res);
      }
    });
    stream.on('close', () => {
      if (this.ended || this.session !== session) return;
      // The stream broke: try again on the next member, from where this one stopped.
      session.destroy();
      this.session = undefined;
      this.endpoint = (this.endpoint + 1) % this.opts.endpoints.length;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        const onGone = (e: Error): void => {
          this.opts.onError(e);
        };
        this.connect(confirmed ? () => undefined : created, confirmed ? onGone : failed);
      }, this.opts.reconnectDelayMs ?? 250);
    });
    stream.on('error', () => undefined); // followed by 'close'
    const message = encodeWatchCreate({
      key: this.opts.key,
      rangeEnd: this.opts.rangeEnd,
      startRevision: this.next,
      progressNotify: true,
      prevKv: this.opts.prevKv,
    });
    const frame = Buffer.allocUnsafe(5 + message.length);
    frame[0] = 0;
    frame.writeUInt32BE(message.length, 1);
    message.copy(frame, 5);
    stream.write(frame);
  }

  private deliver(res: WatchResponse): void {
    // The creation reply's header revision may run ahead of the catch-up events still to come.
    if (res.created) return;
    for (const ev of res.events) if (ev.kv.modRevision >= this.next) this.next = ev.kv.modRevision + 1;
    // A progress notification: everything up to its revision has been sent.
    if (res.events.length === 0 && res.revision >= this.next) this.next = res.revision + 1;
    this.opts.onResponse(res);
  }

  private finish(session: http2.ClientHttp2Session): void {
    this.ended = true;
    session.destroy();
    if (this.session === session) this.session = undefined;
  }

  /** The member this watch streams from (or will try next). */
  get endpointUrl(): string {
    return this.opts.endpoints[this.endpoint] ?? '';
  }

  /** Ends the watch; no callback runs after this. */
  cancel(): void {
    this.ended = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.session?.destroy();
    this.session = undefined;
  }
}
