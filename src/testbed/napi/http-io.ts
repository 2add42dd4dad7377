/** Reading requests and writing responses the way a Kubernetes apiserver does (JSON, Status). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiErrors, type ApiError } from '../../api/status.js';

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) {
    req.resume();
    throw apiErrors.tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) {
      req.resume();
      throw apiErrors.tooLarge(limit);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/**
 * How deep request JSON may nest. The code after the parser (merge patch, structuredClone, zod,
 * JSON.stringify) recurses, and ~2000 levels exhaust the stack; KOS objects nest about 6 deep.
 * Go's decoder has the same kind of limit (10000).
 */
export const MAX_JSON_DEPTH = 512;

/** JSON.parse that refuses malformed or too deeply nested text with a 400. */
export function parseJson(text: string, what: string): unknown {
  try {
    if (exceedsDepth(text, MAX_JSON_DEPTH)) throw new Error(`exceeded max depth ${MAX_JSON_DEPTH}`);
    return JSON.parse(text);
  } catch (e: unknown) {
    throw apiErrors.badRequest(`${what} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Whether brackets outside strings nest deeper than `max` (a linear scan, no recursion). */
function exceedsDepth(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Parses a JSON body; anything that is not a JSON object is a 400, as a Go decoder would say. */
export function parseJsonObject(body: Buffer, what = 'the request body'): Record<string, unknown> {
  const value = parseJson(body.toString('utf8'), what);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw apiErrors.badRequest(`${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export function sendJsonText(res: ServerResponse, code: number, json: string): void {
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(json),
    'Cache-Control': 'no-cache, private',
  });
  res.end(json);
}

export function sendError(res: ServerResponse, error: ApiError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJsonText(res, error.code, JSON.stringify(error.toStatus()));
}

export function sendText(
  res: ServerResponse,
  code: number,
  text: string,
  contentType = 'text/plain; charset=utf-8',
): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
