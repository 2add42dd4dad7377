/**
 * `session.request()` without Node 20's per-request `AsyncResource.bind` (docs/adr/0036): node's
 * http2 client binds each request's connect step with it, and that `bind` defines a deprecated
 * `asyncResource` accessor on the bound function. Each such function gets a fresh hidden class,
 * which V8 keeps in old space; its accessors' closures hold the stream, so every finished stream
 * survived the young-generation GCs and was promoted (about 3 KB per etcd call), and the
 * accessor set-up cost about as much CPU as the rest of the call. For the duration of the
 * synchronous `request()` only, `bind` is one that runs the function in the resource's async
 * scope just the same, without the accessor.
 */
import { AsyncResource } from 'node:async_hooks';
import type http2 from 'node:http2';

type Bind = (this: AsyncResource, fn: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown;

const prototype = AsyncResource.prototype as unknown as { bind: Bind };
const nodeBind = prototype.bind;

const leanBind: Bind = function (fn) {
  return inScopeOf(this, fn);
};

function inScopeOf(
  resource: AsyncResource,
  fn: (...args: unknown[]) => unknown,
): (...args: unknown[]) => unknown {
  return function (this: unknown, ...args: unknown[]): unknown {
    return resource.runInAsyncScope(fn, this, ...args);
  };
}

export function leanRequest(
  session: http2.ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
): http2.ClientHttp2Stream {
  prototype.bind = leanBind;
  try {
    return session.request(headers);
  } finally {
    prototype.bind = nodeBind;
  }
}
