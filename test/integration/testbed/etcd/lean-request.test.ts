/**
 * leanRequest on a real HTTP/2 server on loopback: the stream behaves as session.request's does
 * (same reply, same async context), including a request made while the session still connects,
 * and node's own AsyncResource.prototype.bind is back in place afterwards, also after a throw.
 */
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { leanRequest } from '../../../../src/testbed/etcd/lean-request.js';

/** Node's own bind, to compare by identity (never called here). */
const bindNow = (): unknown => Object.getOwnPropertyDescriptor(AsyncResource.prototype, 'bind')?.value;
const nodeBind = bindNow();

describe('leanRequest: session.request without the per-request AsyncResource.bind', () => {
  let server: http2.Http2Server;
  let url = '';

  before(async () => {
    server = http2.createServer();
    server.on('stream', (stream, headers) => {
      stream.respond({ ':status': 200 });
      stream.end(`you asked for ${String(headers[':path'])}`);
    });
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', () => {
        resolve();
      }),
    );
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  });

  /** Sends GET `path` inside `store.run(tag)`; resolves with the body and the store seen on 'response'. */
  const ask = (
    session: http2.ClientHttp2Session,
    store: AsyncLocalStorage<string>,
    tag: string,
    path: string,
  ): Promise<{ body: string; seen: string | undefined }> =>
    new Promise((resolve, reject) => {
      store.run(tag, () => {
        const stream = leanRequest(session, { ':method': 'GET', ':path': path });
        let seen: string | undefined;
        let body = '';
        stream.on('response', () => {
          seen = store.getStore();
        });
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => {
          body += chunk;
        });
        stream.on('error', reject);
        stream.on('close', () => {
          resolve({ body, seen });
        });
      });
    });

  it('gets the reply, in the async context it was sent from, also while the session connects', async () => {
    const store = new AsyncLocalStorage<string>();
    const session = http2.connect(url);
    try {
      // The first two go out before the session has connected (node queues them), the third after.
      const early = [ask(session, store, 'a', '/one'), ask(session, store, 'b', '/two')];
      assert.deepEqual(await Promise.all(early), [
        { body: 'you asked for /one', seen: 'a' },
        { body: 'you asked for /two', seen: 'b' },
      ]);
      assert.deepEqual(await ask(session, store, 'c', '/three'), { body: 'you asked for /three', seen: 'c' });
      assert.equal(bindNow(), nodeBind, "node's bind is back");
    } finally {
      session.close();
    }
  });

  it("puts node's bind back when request() throws", () => {
    const session = http2.connect(url);
    session.destroy();
    assert.throws(() => leanRequest(session, { ':path': '/' }), /destroyed/);
    assert.equal(bindNow(), nodeBind);
  });
});
