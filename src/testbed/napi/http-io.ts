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

/** Parses a JSON body; anything that is not a JSON object is a 400, as a Go decoder would say. */
export function parseJsonObject(body: Buffer, what = 'the request body'): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (e: unknown) {
    throw apiErrors.badRequest(`${what} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
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
