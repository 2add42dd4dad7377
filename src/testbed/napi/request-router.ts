/** Routes one HTTP request to its handler and maps every failure to a Status response. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, apiErrors } from '../../api/status.js';
import { isNamespaced } from '../../api/resource-type.js';
import { KOS_RESOURCES } from '../../api/resource-types.js';
import type { ApiContext, ResourceRequest } from './api-context.js';
import type { RequestLabels } from './apiserver-metrics.js';
import { servePlain } from './api-server-core.js';
import { apiGroupDocument, apiGroupList, apiResourceList } from './discovery.js';
import { ObjectTooLargeError } from './etcd-store.js';
import { sendError, sendJsonText } from './http-io.js';
import { negotiate } from './negotiate.js';
import { OpenApiDocuments } from './openapi-handler.js';
import { speaksProtobuf } from './wire-format.js';
import { handleGet, handleList } from './read-handlers.js';
import { parseListOptions } from './request-options.js';
import { routeOf, type ResourceRoute, type Route } from './routes.js';
import { handleWatch } from './watch-handler.js';
import {
  handleCreate,
  handleDelete,
  handleDeleteCollection,
  handlePatch,
  handleUpdate,
} from './write-handlers.js';

export interface RouterHooks {
  component: string;
  isReady(): boolean;
  log(message: string): void;
}

type Verb = 'GET' | 'LIST' | 'WATCH' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'DELETECOLLECTION';

function verbOf(method: string, route: ResourceRoute, watch: boolean): Verb {
  const named = route.name !== undefined;
  // A collection one can create in or delete: in a namespace, or of a cluster-scoped resource.
  const scoped = route.namespace !== undefined || !isNamespaced(route.type);
  // `finalize` (of namespaces) is written with PUT and nothing else.
  if (route.subresource === 'finalize' && method !== 'PUT') throw apiErrors.methodNotAllowed(method);
  switch (method) {
    case 'GET':
      return named ? 'GET' : watch ? 'WATCH' : 'LIST';
    case 'POST':
      if (!named && scoped && route.subresource === undefined) return 'POST';
      break;
    case 'PUT':
      if (named) return 'PUT';
      break;
    case 'PATCH':
      if (named) return 'PATCH';
      break;
    case 'DELETE':
      if (named && route.subresource === undefined) return 'DELETE';
      if (!named && scoped) return 'DELETECOLLECTION';
      break;
  }
  throw apiErrors.methodNotAllowed(method);
}

export function createRouter(ctx: ApiContext, hooks: RouterHooks) {
  const openApi = new OpenApiDocuments(KOS_RESOURCES);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = routeOf(url.pathname);
    const log = (message: string): void => {
      hooks.log(message);
    };
    if (route.kind === 'resource') {
      await serveResource(ctx, route, { req, res, url, started, log });
      return;
    }
    try {
      await serveNonResource(route, req, res, ctx, { ...hooks, openApi });
    } catch (e: unknown) {
      sendFailure(req, res, e, log);
    }
  };
}

/** One HTTP request to a resource path, routed; `started` is when it arrived (performance.now()). */
export interface ResourceExchange {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  started: number;
  log: (message: string) => void;
}

/**
 * Serves a request to a resource path of any served group: picks the verb, counts it in the
 * apiserver metrics, runs its handler, and answers every failure with a Status.
 */
export async function serveResource(
  ctx: ApiContext,
  route: ResourceRoute,
  exchange: ResourceExchange,
): Promise<void> {
  const { req, res, url, started } = exchange;
  try {
    const watchParam = url.searchParams.get('watch');
    const verb = verbOf(req.method ?? 'GET', route, watchParam === 'true' || watchParam === '1');
    const labels: RequestLabels = {
      verb,
      group: route.type.group,
      version: route.type.version,
      resource: route.type.resource,
      subresource: route.subresource ?? '',
      scope: route.name !== undefined ? 'resource' : route.namespace !== undefined ? 'namespace' : 'cluster',
    };
    if (verb !== 'WATCH') {
      res.on('finish', () => {
        ctx.metrics.observe(labels, res.statusCode, (performance.now() - started) / 1000);
      });
    } else {
      ctx.metrics.observe(labels, 200, 0);
    }
    const r: ResourceRequest = {
      req,
      res,
      type: route.type,
      namespace: route.namespace,
      name: route.name,
      subresource: route.subresource,
      query: url.searchParams,
      format: negotiate(req.headers.accept, verb !== 'WATCH' && speaksProtobuf(route.type)),
    };
    switch (verb) {
      case 'GET': {
        await handleGet(ctx, r);
        return;
      }
      case 'LIST': {
        await handleList(ctx, r, parseListOptions(r.type, r.query));
        return;
      }
      case 'WATCH': {
        await handleWatch(ctx, r, parseListOptions(r.type, r.query), labels);
        return;
      }
      case 'POST': {
        await handleCreate(ctx, r);
        return;
      }
      case 'PUT': {
        await handleUpdate(ctx, r);
        return;
      }
      case 'PATCH': {
        await handlePatch(ctx, r);
        return;
      }
      case 'DELETE': {
        await handleDelete(ctx, r);
        return;
      }
      case 'DELETECOLLECTION': {
        await handleDeleteCollection(ctx, r, parseListOptions(r.type, r.query));
        return;
      }
    }
  } catch (e: unknown) {
    sendFailure(req, res, e, exchange.log);
  }
}

/** An ApiError goes back as its Status; anything else is logged and answered 500. */
export function sendFailure(
  req: IncomingMessage,
  res: ServerResponse,
  e: unknown,
  log: (message: string) => void,
): void {
  if (e instanceof ApiError) {
    sendError(res, e);
    return;
  }
  if (e instanceof ObjectTooLargeError) {
    sendError(res, apiErrors.objectTooLarge(e.message));
    return;
  }
  log(
    `internal error on ${req.method ?? ''} ${req.url ?? ''}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
  );
  sendError(res, apiErrors.internal(e instanceof Error ? e.message : String(e)));
}

async function serveNonResource(
  route: Route,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ApiContext,
  hooks: RouterHooks & { openApi: OpenApiDocuments },
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw apiErrors.methodNotAllowed(req.method ?? '');
  switch (route.kind) {
    case 'openapi':
    case 'openapiV2':
      hooks.openApi.serve(route, req, res);
      return;
    case 'discovery':
      sendJsonText(
        res,
        200,
        route.level === 'apis'
          ? apiGroupList()
          : route.level === 'group'
            ? apiGroupDocument()
            : apiResourceList(KOS_RESOURCES),
      );
      return;
    case 'plain':
      await servePlain(route.what, res, {
        component: hooks.component,
        isReady: () => hooks.isReady(),
        notReady: '[-]watch-cache failed: not ready',
        metrics: ctx.metrics,
      });
      return;
    case 'unknown':
    case 'resource':
      throw apiErrors.pathNotFound();
  }
}
