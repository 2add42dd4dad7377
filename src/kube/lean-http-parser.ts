/**
 * Reads one HTTP/1.1 response at a time from a connection's bytes, as they arrive (pure): the
 * status, whether the connection may be reused, and the body only when the status is an error
 * (the driver wants the server's message then, and nothing otherwise) unless every body is asked
 * for (hollow agents read their lists and updated objects). Content-Length, chunked and
 * read-until-close bodies; 1xx answers are skipped.
 */

export interface ParsedResponse {
  status: number;
  /** The body text when status >= 300 (first 64 KiB), else '' (whole, when every body is kept). */
  body: string;
  /** The Content-Type header, lower-cased, when every body is kept and the answer had one. */
  contentType?: string;
  /** The server will close the connection (or it must not be reused). */
  close: boolean;
  /** The server's `Keep-Alive: timeout=N`, ms. */
  keepAliveMs?: number;
  /** Bytes after the end of this response in the chunk (a well-behaved server sends none). */
  extra: number;
}

const MAX_HEAD = 64 * 1024;
const MAX_KEPT_BODY = 64 * 1024;
const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

const Mode = {
  Head: 0,
  Length: 1,
  ChunkSize: 2,
  ChunkData: 3,
  ChunkEnd: 4,
  Trailers: 5,
  UntilClose: 6,
} as const;
type Mode = (typeof Mode)[keyof typeof Mode];

export class ResponseParser {
  private mode: Mode = Mode.Head;
  /** Bytes of an unfinished head, chunk-size line or trailer line. */
  private carry: Buffer | undefined;
  private remaining = 0;
  private status = 0;
  private close = false;
  private keepAliveMs: number | undefined;
  private kept: Buffer[] | undefined;
  private keptBytes = 0;
  private contentType: string | undefined;

  /** `keepBodies`: keep every answer's whole body, not only an error's first 64 KiB. @default false */
  constructor(private readonly keepBodies = false) {}

  /**
   * Feeds bytes; returns the response once it is complete (then the parser is ready for the
   * next). Keeps no reference to `chunk`: its memory may be reused once this returns.
   */
  push(chunk: Buffer): ParsedResponse | undefined {
    let buf = chunk;
    if (this.carry !== undefined) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = undefined;
    }
    let pos = 0;
    while (pos < buf.length || this.mode === Mode.Length) {
      switch (this.mode) {
        case Mode.Head: {
          const end = buf.indexOf(HEAD_END, pos);
          if (end < 0) {
            this.keep(buf, pos, 'response head');
            return undefined;
          }
          const start = pos;
          pos = end + 4;
          if (this.head(buf.toString('latin1', start, end))) continue;
          break;
        }
        case Mode.Length: {
          pos = this.take(buf, pos, true);
          if (this.remaining === 0) return this.done(buf.length - pos);
          return undefined;
        }
        case Mode.ChunkSize:
        case Mode.Trailers: {
          const eol = buf.indexOf(CRLF, pos);
          if (eol < 0) {
            this.keep(buf, pos, 'chunk line');
            return undefined;
          }
          const line = buf.toString('latin1', pos, eol);
          pos = eol + 2;
          if (this.mode === Mode.Trailers) {
            if (line === '') return this.done(buf.length - pos);
            break;
          }
          const size = Number.parseInt(line.split(';', 1)[0] ?? '', 16);
          if (!Number.isFinite(size) || size < 0)
            throw new Error(`bad chunk size line: ${line.slice(0, 40)}`);
          if (size === 0) this.mode = Mode.Trailers;
          else {
            this.mode = Mode.ChunkData;
            this.remaining = size;
          }
          break;
        }
        case Mode.ChunkData: {
          pos = this.take(buf, pos, true);
          if (this.remaining === 0) {
            this.mode = Mode.ChunkEnd;
            this.remaining = 2;
          }
          break;
        }
        case Mode.ChunkEnd: {
          // The CRLF after a chunk's data (possibly split across reads).
          pos = this.take(buf, pos, false);
          if (this.remaining === 0) this.mode = Mode.ChunkSize;
          break;
        }
        case Mode.UntilClose:
          this.body(buf, pos, buf.length);
          return undefined;
      }
    }
    return undefined;
  }

  /** The connection closed: completes a body that runs until close, or returns undefined. */
  end(): ParsedResponse | undefined {
    if (this.mode !== Mode.UntilClose) return undefined;
    this.close = true;
    return this.done(0);
  }

  private keep(buf: Buffer, pos: number, what: string): void {
    if (buf.length - pos > MAX_HEAD) throw new Error(`${what} longer than ${MAX_HEAD} bytes`);
    // Copied: the caller may reuse the chunk's memory for its next read.
    this.carry = Buffer.from(buf.subarray(pos));
  }

  /** Parses a head; true when it was a 1xx answer (another head follows). */
  private head(text: string): boolean {
    if (!text.startsWith('HTTP/1.')) throw new Error(`not an HTTP/1 answer: ${text.slice(0, 40)}`);
    const status = Number(text.slice(9, 12));
    if (!Number.isInteger(status) || status < 100) throw new Error(`bad status line: ${text.slice(0, 40)}`);
    if (status < 200) return true;
    this.status = status;
    this.kept = status >= 300 || this.keepBodies ? [] : undefined;
    this.keptBytes = 0;
    const lower = text.toLowerCase();
    this.contentType = this.keepBodies ? header(lower, 'content-type') : undefined;
    const connection = header(lower, 'connection');
    this.close = text.startsWith('HTTP/1.0')
      ? !(connection ?? '').includes('keep-alive')
      : (connection ?? '').includes('close');
    const ka = /timeout=(\d+)/.exec(header(lower, 'keep-alive') ?? '');
    this.keepAliveMs = ka === null ? undefined : Number(ka[1]) * 1000;
    const encoding = header(lower, 'transfer-encoding');
    const length = header(lower, 'content-length');
    if (status === 204 || status === 304) {
      this.mode = Mode.Length;
      this.remaining = 0;
    } else if (encoding !== undefined && encoding.includes('chunked')) {
      this.mode = Mode.ChunkSize;
    } else if (length !== undefined) {
      const n = Number(length);
      if (!Number.isInteger(n) || n < 0) throw new Error(`bad content-length: ${length}`);
      this.mode = Mode.Length;
      this.remaining = n;
    } else {
      this.mode = Mode.UntilClose;
      this.close = true;
    }
    return false;
  }

  /** Consumes up to `remaining` bytes from `pos` (kept as body when `asBody`); the new position. */
  private take(buf: Buffer, pos: number, asBody: boolean): number {
    const n = Math.min(this.remaining, buf.length - pos);
    if (asBody) this.body(buf, pos, pos + n);
    this.remaining -= n;
    return pos + n;
  }

  private body(buf: Buffer, from: number, to: number): void {
    const limit = this.keepBodies ? Infinity : MAX_KEPT_BODY;
    if (this.kept === undefined || to <= from || this.keptBytes >= limit) return;
    const piece = buf.subarray(from, Math.min(to, from + limit - this.keptBytes));
    // Copied: the caller may reuse the chunk's memory for its next read.
    this.kept.push(Buffer.from(piece));
    this.keptBytes += piece.length;
  }

  private done(extra: number): ParsedResponse {
    const body = this.kept === undefined ? '' : Buffer.concat(this.kept).toString('utf8');
    const r: ParsedResponse = { status: this.status, body, close: this.close, extra };
    if (this.keepAliveMs !== undefined) r.keepAliveMs = this.keepAliveMs;
    if (this.contentType !== undefined) r.contentType = this.contentType;
    this.mode = Mode.Head;
    this.kept = undefined;
    this.keepAliveMs = undefined;
    return r;
  }
}

/** The value of a header in a lower-cased head, or undefined. */
function header(lowerHead: string, name: string): string | undefined {
  const at = lowerHead.indexOf(`\r\n${name}:`);
  if (at < 0) return undefined;
  const from = at + name.length + 3;
  const eol = lowerHead.indexOf('\r\n', from);
  return lowerHead.slice(from, eol < 0 ? undefined : eol).trim();
}
