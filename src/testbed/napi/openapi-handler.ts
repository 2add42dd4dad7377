/**
 * `/openapi/v3` (index and one document per group-version) and `/openapi/v2`, for the kinds a
 * server serves: the network-apiserver its KOS kinds, the kube front every kind (ADR 0021).
 * Documents are built once, from the schemas, when the server starts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  openApiV2Document,
  openApiV3Documents,
  openApiV3Index,
} from '../../api/openapi/openapi-documents.js';
import type { ResourceType } from '../../api/resource-type.js';
import { apiErrors } from '../../api/status.js';
import { sendJsonText } from './http-io.js';
import { negotiate } from './negotiate.js';

export type OpenApiRoute =
  /** `/openapi/v3` (no `document`) or one group-version's document (`api/v1`, `apis/apps/v1`). */
  | { kind: 'openapi'; document: string | undefined }
  /** `/openapi/v2`, one document of every kind. */
  | { kind: 'openapiV2' };

const V3 = '/openapi/v3';

export function openApiRouteOf(pathname: string): OpenApiRoute | undefined {
  if (pathname === '/openapi/v2') return { kind: 'openapiV2' };
  if (pathname === V3 || pathname === `${V3}/`) return { kind: 'openapi', document: undefined };
  if (pathname.startsWith(`${V3}/`)) return { kind: 'openapi', document: pathname.slice(V3.length + 1) };
  return undefined;
}

export class OpenApiDocuments {
  private readonly v3: Map<string, string>;
  private readonly index: string;
  private readonly v2: string;

  constructor(types: readonly ResourceType[]) {
    this.v3 = openApiV3Documents(types);
    this.index = openApiV3Index(this.v3);
    this.v2 = openApiV2Document(types);
  }

  serve(route: OpenApiRoute, req: IncomingMessage, res: ServerResponse): void {
    if (route.kind === 'openapiV2') {
      // kubectl asks for the protobuf form only, and does without it (it works from v3).
      if (negotiate(req.headers.accept).kind !== 'json')
        throw apiErrors.notAcceptable(req.headers.accept ?? '');
      sendJsonText(res, 200, this.v2);
      return;
    }
    const text = route.document === undefined ? this.index : this.v3.get(route.document);
    if (text === undefined) throw apiErrors.pathNotFound();
    sendJsonText(res, 200, text);
  }
}
