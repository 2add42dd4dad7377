/**
 * The two body encodings an apiserver speaks for objects: JSON, and Kubernetes' protobuf envelope
 * for the built-in kinds that have messages (kubectl's typed clients send those as protobuf and
 * ask for protobuf answers first). Handlers keep working on JSON; this is the edge that converts.
 */
import type { ServerResponse } from 'node:http';
import {
  PROTOBUF_MEDIA_TYPE,
  decodeKubeProtobuf,
  encodeKubeProtobuf,
  hasProtobuf,
} from '../../api/protobuf/kube-envelope.js';
import { apiVersionOf, type ResourceType } from '../../api/resource-type.js';
import { apiErrors } from '../../api/status.js';
import { parseJsonObject, sendJsonText } from './http-io.js';
import type { ResponseFormat } from './negotiate.js';

export function speaksProtobuf(type: ResourceType): boolean {
  return hasProtobuf(apiVersionOf(type), type.kind);
}

/** The media types a create or update body of `type` may come in. */
export function objectMediaTypes(type: ResourceType): string[] {
  return speaksProtobuf(type) ? ['application/json', PROTOBUF_MEDIA_TYPE] : ['application/json'];
}

/** A request body as a JSON object, whichever of the object media types it came in. */
export function objectOfBody(
  mediaType: string,
  body: Buffer,
  what = 'the request body',
): Record<string, unknown> {
  if (mediaType !== PROTOBUF_MEDIA_TYPE) return parseJsonObject(body, what);
  try {
    return decodeKubeProtobuf(body);
  } catch (e: unknown) {
    throw apiErrors.badRequest(
      `${what} is not a valid protobuf object: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/** Answers with an object (or list) already rendered as JSON text, in the negotiated format. */
export function sendObjectText(
  res: ServerResponse,
  format: ResponseFormat,
  code: number,
  json: string,
): void {
  if (format.kind === 'protobuf') {
    const encoded = encodeKubeProtobuf(JSON.parse(json) as Record<string, unknown>);
    if (encoded !== undefined) {
      res.writeHead(code, {
        'Content-Type': PROTOBUF_MEDIA_TYPE,
        'Content-Length': encoded.byteLength,
        'Cache-Control': 'no-cache, private',
      });
      res.end(encoded);
      return;
    }
  }
  sendJsonText(res, code, json);
}
