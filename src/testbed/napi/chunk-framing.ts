/**
 * HTTP/1.1 chunk framing of watch lines, done once per line however many connections send it.
 * A line built by framedLine is a view into its own framed chunk, so a fan-out encodes the
 * object's JSON into bytes once and every connection writes that one Buffer.
 */

/** Framed chunks of lines, kept exactly as long as the line itself. */
const chunks = new WeakMap<Buffer, Buffer>();

function chunkHead(length: number): string {
  return `${length.toString(16)}\r\n`;
}

/** `<hex length>\r\n<data>\r\n`: one chunk of a chunked body (a copy of `data`). */
export function frameChunk(data: Buffer): Buffer {
  const head = chunkHead(data.length);
  const out = Buffer.allocUnsafe(head.length + data.length + 2);
  out.write(head, 0, 'latin1');
  data.copy(out, head.length);
  out[out.length - 2] = 0x0d;
  out[out.length - 1] = 0x0a;
  return out;
}

/**
 * The bytes of `prefix + body + suffix` (prefix and suffix ASCII), encoded once into a buffer
 * that also holds their chunk framing; chunkOf() finds that framing again.
 */
export function framedLine(prefix: string, body: string, suffix: string): Buffer {
  const length = prefix.length + Buffer.byteLength(body) + suffix.length;
  const head = chunkHead(length);
  const out = Buffer.allocUnsafe(head.length + length + 2);
  let at = out.write(head, 0, 'latin1');
  at += out.write(prefix, at, 'latin1');
  at += out.write(body, at, 'utf8');
  at += out.write(suffix, at, 'latin1');
  out[at] = 0x0d;
  out[at + 1] = 0x0a;
  const line = out.subarray(head.length, head.length + length);
  chunks.set(line, out);
  return line;
}

/** The framed chunk of `line`: the one framedLine built, else a new one (remembered). */
export function chunkOf(line: Buffer): Buffer {
  let chunk = chunks.get(line);
  if (chunk === undefined) {
    chunk = frameChunk(line);
    chunks.set(line, chunk);
  }
  return chunk;
}
