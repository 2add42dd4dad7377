/**
 * A watch response's body written straight to its socket as HTTP/1.1 chunks: a fan-out event then
 * costs each connection one socket write of a Buffer shared by all of them (chunk-framing.ts),
 * instead of ServerResponse's per-write framing (four buffers, a cork and a nextTick each). The
 * bytes on the wire are the ones res.write would produce. Whenever the response is not in the
 * plain state this relies on (headers sent, chunked, nothing of its own still buffered), it falls
 * back to res.write.
 */
import type { ServerResponse } from 'node:http';
import { chunkOf, frameChunk } from './chunk-framing.js';
import type { WatchSink } from './client-watch.js';

export class ChunkedSink implements WatchSink {
  constructor(private readonly res: ServerResponse) {}

  write(data: string | Buffer): boolean {
    const res = this.res;
    const socket = res.socket;
    // res.writableLength - socket.writableLength is what the response itself still buffers.
    const direct =
      socket !== null &&
      res.chunkedEncoding &&
      res.headersSent &&
      !res.writableEnded &&
      !socket.destroyed &&
      res.writableLength === socket.writableLength;
    if (!direct) return res.write(data);
    if (data.length === 0) return true; // an empty chunk would end the body
    return socket.write(typeof data === 'string' ? frameChunk(Buffer.from(data)) : chunkOf(data));
  }

  end(): void {
    this.res.end();
  }

  get writableLength(): number {
    return this.res.writableLength;
  }
}
