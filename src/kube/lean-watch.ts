/**
 * One Kubernetes watch over a plain-HTTP/1.1 connection of its own, read straight off the socket.
 * A process of hollow agents holds thousands of watches and opens and closes one each time a VN
 * becomes relevant or stops being so; undici's per-connection client (its wasm parser, body
 * stream, abort errors) cost more there than the events did (docs/adr/0026). The wire traffic is
 * what RestClient.watch sends: one GET per watch on a connection nobody else uses.
 */
import net from 'node:net';

export interface LeanWatchRequest {
  /** e.g. http://127.2.0.1:43117 (plain HTTP only). */
  server: string;
  localAddress?: string;
  /** Path with query, e.g. /apis/...?watch=true. */
  path: string;
  headers: Record<string, string>;
  /** Longest wait for the response head. */
  headersTimeoutMs: number;
  signal?: AbortSignal;
  /** Each line of a 200 answer's body, as it completes. */
  onLine: (line: string) => void;
}

/** 200: the stream ended (or was aborted); otherwise the status and body of the error answer. */
export interface LeanWatchEnd {
  status: number;
  body: string;
}

const HEAD_END = Buffer.from('\r\n\r\n');
/**
 * Every lean watch of the process reads into this one buffer (net's `onread`): no Buffer and no
 * stream 'data' event per read. Safe to share, because each read is handled, and what is kept
 * of it copied, before the next read into it.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
const MAX_HEAD = 64 * 1024;
const NEWLINE = 10;

/** Decodes an HTTP/1.1 response body (chunked, Content-Length or until close) into lines. */
class BodyLines {
  /** Chunked framing: bytes left in the current chunk, plus its CRLF. */
  private chunkLeft = 0;
  private sizeLine: Buffer | undefined;
  private partial: Buffer[] = [];
  done = false;

  constructor(
    private readonly framing: 'chunked' | 'length' | 'close',
    private lengthLeft: number,
    private readonly onLine: (line: string) => void,
  ) {}

  push(buf: Buffer, from: number): void {
    let pos = from;
    while (pos < buf.length && !this.done) {
      if (this.framing !== 'chunked') {
        const end = this.framing === 'length' ? Math.min(buf.length, pos + this.lengthLeft) : buf.length;
        this.data(buf, pos, end);
        if (this.framing === 'length') {
          this.lengthLeft -= end - pos;
          if (this.lengthLeft === 0) this.finish();
        }
        pos = end;
      } else if (this.chunkLeft === 0) {
        pos = this.readSizeLine(buf, pos);
      } else {
        // The chunk's data, then its CRLF (the last 2 of chunkLeft), possibly across reads.
        const end = Math.min(buf.length, pos + this.chunkLeft);
        const dataEnd = Math.min(end, pos + Math.max(0, this.chunkLeft - 2));
        if (dataEnd > pos) this.data(buf, pos, dataEnd);
        this.chunkLeft -= end - pos;
        pos = end;
      }
    }
  }

  /** The socket closed: the body ends here when it runs until close. */
  close(): void {
    if (this.framing === 'close') this.finish();
  }

  private readSizeLine(buf: Buffer, pos: number): number {
    const nl = buf.indexOf(NEWLINE, pos);
    if (nl < 0) {
      const rest = buf.subarray(pos);
      this.sizeLine = this.sizeLine === undefined ? Buffer.from(rest) : Buffer.concat([this.sizeLine, rest]);
      if (this.sizeLine.length > 1024) throw new Error('chunk size line over 1 KiB');
      return buf.length;
    }
    let line = buf.subarray(pos, nl);
    if (this.sizeLine !== undefined) {
      line = Buffer.concat([this.sizeLine, line]);
      this.sizeLine = undefined;
    }
    const size = parseInt(line.toString('latin1'), 16);
    if (!Number.isFinite(size) || size < 0)
      throw new Error(`bad chunk size line: ${line.toString('latin1')}`);
    // The last chunk; its trailers, if any, are not needed.
    if (size === 0) this.finish();
    else this.chunkLeft = size + 2;
    return nl + 1;
  }

  private data(buf: Buffer, from: number, to: number): void {
    let p = from;
    while (p < to) {
      const nl = buf.indexOf(NEWLINE, p);
      if (nl < 0 || nl >= to) {
        // Copied: the socket may reuse the read's memory.
        this.partial.push(Buffer.from(buf.subarray(p, to)));
        return;
      }
      this.line(buf.subarray(p, nl));
      p = nl + 1;
    }
  }

  private line(tail: Buffer): void {
    const bytes = this.partial.length === 0 ? tail : Buffer.concat([...this.partial, tail]);
    this.partial = [];
    if (bytes.length > 0) this.onLine(bytes.toString('utf8'));
  }

  private finish(): void {
    if (this.partial.length > 0) this.line(Buffer.alloc(0));
    this.done = true;
  }
}

interface Head {
  status: number;
  framing: 'chunked' | 'length' | 'close';
  length: number;
}

function parseHead(text: string): Head {
  const lines = text.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1]);
  if (!Number.isInteger(status)) throw new Error(`bad status line: ${(lines[0] ?? '').slice(0, 80)}`);
  let framing: Head['framing'] = 'close';
  let length = 0;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'transfer-encoding' && value.toLowerCase().includes('chunked')) framing = 'chunked';
    else if (name === 'content-length' && framing !== 'chunked') {
      framing = 'length';
      length = Number(value);
    }
  }
  return { status, framing, length };
}

/**
 * Sends the watch request and feeds `onLine` until the server ends the body (resolves 200), the
 * signal aborts (resolves 200), the answer is an error (resolves its status and body), or the
 * connection fails or closes mid-body (rejects).
 */
export function leanWatch(req: LeanWatchRequest): Promise<LeanWatchEnd> {
  const url = new URL(req.server);
  if (url.protocol !== 'http:') throw new Error(`lean watches speak plain HTTP only, not ${url.protocol}`);
  return new Promise<LeanWatchEnd>((resolve, reject) => {
    if (req.signal?.aborted === true) {
      resolve({ status: 200, body: '' });
      return;
    }
    const socket = net.connect({
      host: url.hostname,
      port: Number(url.port === '' ? 80 : url.port),
      ...(req.localAddress === undefined ? {} : { localAddress: req.localAddress }),
      onread: {
        buffer: READ_BUFFER,
        callback: (n: number, buf: Uint8Array): boolean => {
          try {
            onData(buf as Buffer, n);
          } catch (e: unknown) {
            settle(e instanceof Error ? e : new Error(String(e)));
          }
          return true;
        },
      },
    });
    socket.setNoDelay(true);
    let head: Buffer | undefined;
    let body: BodyLines | undefined;
    const errorLines: string[] = [];
    let status = 0;
    let settled = false;
    const settle = (end: LeanWatchEnd | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(headTimer);
      req.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (end instanceof Error) reject(end);
      else resolve(end);
    };
    const onAbort = (): void => {
      settle({ status: 200, body: '' });
    };
    req.signal?.addEventListener('abort', onAbort, { once: true });
    const headTimer = setTimeout(() => {
      settle(new Error(`watch ${req.path}: no response head in ${req.headersTimeoutMs} ms`));
    }, req.headersTimeoutMs);
    const ended = (): void => {
      if (status !== 200) settle({ status, body: errorLines.join('\n') });
      else settle({ status: 200, body: '' });
    };
    /** The first `n` bytes of `buf` arrived; `buf` is reused for the next read. */
    const onData = (buf: Buffer, n: number): void => {
      if (settled) return;
      const chunk = buf.subarray(0, n);
      if (body === undefined) {
        // Copied (concat always copies): the head may span reads.
        head = Buffer.concat(head === undefined ? [chunk] : [head, chunk]);
        const end = head.indexOf(HEAD_END);
        if (end < 0) {
          if (head.length > MAX_HEAD) settle(new Error(`watch ${req.path}: response head over 64 KiB`));
          return;
        }
        clearTimeout(headTimer);
        const parsed = parseHead(head.toString('latin1', 0, end));
        status = parsed.status;
        const onLine =
          status === 200
            ? req.onLine
            : (line: string): void => {
                errorLines.push(line);
              };
        body = new BodyLines(parsed.framing, parsed.length, onLine);
        const rest = head;
        head = undefined;
        body.push(rest, end + HEAD_END.length);
      } else {
        body.push(chunk, 0);
      }
      if (body.done) ended();
    };
    socket.on('error', (e: NodeJS.ErrnoException) => {
      // The code stays: a refused connection tells the client to try another replica.
      settle(Object.assign(new Error(`watch ${req.path}: ${e.message}`), { code: e.code }));
    });
    socket.on('close', () => {
      body?.close();
      if (body?.done === true) ended();
      else settle(new Error(`watch ${req.path}: connection closed before the answer ended`));
    });
    const lines = [`GET ${req.path} HTTP/1.1`, `host: ${url.host}`];
    for (const [name, value] of Object.entries(req.headers)) lines.push(`${name}: ${value}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}
