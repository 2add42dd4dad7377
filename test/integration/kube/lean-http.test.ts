import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { close, server } from '../../support/recording-server.js';
import { writeSelfSignedCert } from '../../support/self-signed.js';
import { isNotFound, KubeApiError } from '../../../src/kube/kube-api-error.js';
import { LeanHttp } from '../../../src/kube/lean-http.js';

describe('the lean HTTP client of the driver hot path', () => {
  it('sends the method, path, fixed headers and JSON body, and resolves on a 2xx', async () => {
    const s = await server((_, res) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end('{"kind":"NetworkAttachment"}');
    });
    const c = new LeanHttp({
      server: s.url,
      connections: 2,
      headers: { 'user-agent': 'kos-test-driver/r1', authorization: 'Bearer t0k' },
      timeoutMs: 5000,
    });
    try {
      await c.send('POST', '/apis/g/v1/namespaces/n/things', '{"name":"é"}');
      await c.send('DELETE', '/apis/g/v1/namespaces/n/things/a');
      const post = s.seen[0];
      const del = s.seen[1];
      assert.ok(post !== undefined && del !== undefined);
      assert.equal(post.method, 'POST');
      assert.equal(post.url, '/apis/g/v1/namespaces/n/things');
      assert.equal(post.body, '{"name":"é"}');
      assert.equal(post.headers['content-type'], 'application/json');
      assert.equal(post.headers['content-length'], String(Buffer.byteLength('{"name":"é"}')));
      assert.equal(post.headers['user-agent'], 'kos-test-driver/r1');
      assert.equal(post.headers.authorization, 'Bearer t0k');
      assert.equal(post.headers.host, new URL(s.url).host);
      assert.equal(del.method, 'DELETE');
      assert.equal(del.body, '');
      // Sequential requests share one kept-alive connection.
      assert.equal(s.sockets.size, 1);
    } finally {
      c.close();
      await close(s.srv);
    }
  });

  it('answers exchange() with the whole body and content type when it keeps bodies', async () => {
    const list = JSON.stringify({ kind: 'List', items: Array.from({ length: 2000 }, (_, i) => ({ i })) });
    const s = await server((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.method === 'PUT' ? req.headers['content-type'] : list);
    });
    const c = new LeanHttp({ server: s.url, connections: 1, headers: {}, timeoutMs: 5000, keepBodies: true });
    try {
      const got = await c.exchange('GET', '/apis/g/v1/things');
      assert.equal(got.status, 200);
      assert.equal(got.body, list);
      assert.equal(got.contentType, 'application/json');
      const put = await c.exchange('PUT', '/apis/g/v1/things/a', '{}', 'application/merge-patch+json');
      assert.equal(put.body, 'application/merge-patch+json');
      assert.equal(s.sockets.size, 1);
    } finally {
      c.close();
      await close(s.srv);
    }
  });

  it('rejects an error status with a KubeApiError carrying the server Status', async () => {
    const s = await server((req, res) => {
      const code = req.url.endsWith('/gone') ? 404 : 409;
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          code,
          reason: code === 404 ? 'NotFound' : 'AlreadyExists',
          message: 'told so',
        }),
      );
    });
    const c = new LeanHttp({ server: s.url, connections: 1, headers: {}, timeoutMs: 5000 });
    try {
      const gone = await c.send('DELETE', '/x/gone').then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(isNotFound(gone), String(gone));
      const dup = await c.send('POST', '/x/dup', '{}').then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(dup instanceof KubeApiError);
      assert.equal(dup.code, 409);
      assert.equal(dup.reason, 'AlreadyExists');
      assert.match(dup.message, /POST \/x\/dup: 409 AlreadyExists told so/);
      // Error answers do not cost the connection.
      assert.equal(s.sockets.size, 1);
    } finally {
      c.close();
      await close(s.srv);
    }
  });

  it('opens at most `connections` sockets and queues the rest, answering every request', async () => {
    let open = 0;
    let most = 0;
    const s = await server((_, res) => {
      open++;
      most = Math.max(most, open);
      setTimeout(() => {
        open--;
        res.writeHead(200, { 'content-length': '0' });
        res.end();
      }, 5);
    });
    const c = new LeanHttp({ server: s.url, connections: 3, headers: {}, timeoutMs: 5000 });
    try {
      await Promise.all(Array.from({ length: 30 }, (_, i) => c.send('POST', `/x/${i}`, '{}')));
      assert.equal(s.seen.length, 30);
      assert.equal(s.sockets.size, 3);
      assert.equal(most, 3);
    } finally {
      c.close();
      await close(s.srv);
    }
  });

  it('has room while a connection is idle or unopened, none while all are busy or requests queue', async () => {
    const held: (() => void)[] = [];
    const s = await server((_, res) => {
      held.push(() => {
        res.writeHead(200, { 'content-length': '0' });
        res.end();
      });
    });
    const c = new LeanHttp({ server: s.url, connections: 2, headers: {}, timeoutMs: 5000 });
    const answered = async (n: number): Promise<void> => {
      while (held.length < n) await new Promise((r) => setTimeout(r, 2));
    };
    try {
      assert.equal(c.hasRoom(), true, 'nothing open yet');
      const first = c.send('POST', '/x/1', '{}');
      assert.equal(c.hasRoom(), true, 'one of two connections busy');
      const second = c.send('POST', '/x/2', '{}');
      assert.equal(c.hasRoom(), false, 'both busy');
      const third = c.send('POST', '/x/3', '{}');
      await answered(2);
      held.shift()?.();
      await first;
      // The freed connection took the queued third request: still no room.
      assert.equal(c.hasRoom(), false, 'the queued request took the freed connection');
      await answered(2);
      held.shift()?.();
      await second;
      assert.equal(c.hasRoom(), true, 'a connection is idle');
      held.shift()?.();
      await third;
    } finally {
      c.close();
      await close(s.srv);
    }
  });

  it('fails only the request whose connection the server drops, and carries on with a new one', async () => {
    const s = await server((req, res) => {
      if (req.url === '/drop') req.socket.destroy();
      else {
        res.writeHead(200, { 'content-length': '0' });
        res.end();
      }
    });
    const c = new LeanHttp({ server: s.url, connections: 1, headers: {}, timeoutMs: 5000 });
    try {
      const dropped = c.send('POST', '/drop', '{}');
      const next = c.send('POST', '/ok', '{}');
      await assert.rejects(dropped, /closed the connection|ECONNRESET|socket hang up/);
      await next;
      assert.equal(s.sockets.size, 2);
    } finally {
      c.close();
      await close(s.srv);
    }
  });

  it('fails a request the server never answers after the timeout', async () => {
    const s = await server(() => undefined);
    const c = new LeanHttp({ server: s.url, connections: 1, headers: {}, timeoutMs: 300 });
    try {
      const began = performance.now();
      await assert.rejects(c.send('POST', '/hang', '{}'), /no answer within 300 ms/);
      assert.ok(performance.now() - began >= 300);
    } finally {
      c.close();
      await close(s.srv);
    }
  });

  it('fails queued and in-flight requests when closed', async () => {
    const s = await server(() => undefined);
    const c = new LeanHttp({ server: s.url, connections: 1, headers: {}, timeoutMs: 5000 });
    try {
      const a = c.send('POST', '/a', '{}');
      const b = c.send('POST', '/b', '{}');
      c.close();
      await assert.rejects(a, /closed/);
      await assert.rejects(b, /closed/);
      await assert.rejects(c.send('POST', '/c', '{}'), /closed/);
    } finally {
      await close(s.srv);
    }
  });

  describe('over TLS', () => {
    let dir = '';
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'kos-lean-tls-'));
      writeSelfSignedCert(join(dir, 'key.pem'), join(dir, 'ca.crt'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('verifies the server against the given CA and sends over it', async () => {
      const ca = await readFile(join(dir, 'ca.crt'));
      const bodies: string[] = [];
      const srv = createTlsServer({ key: await readFile(join(dir, 'key.pem')), cert: ca }, (req, res) => {
        const parts: Buffer[] = [];
        req.on('data', (b: Buffer) => parts.push(b));
        req.on('end', () => {
          bodies.push(Buffer.concat(parts).toString());
          res.writeHead(201);
          res.end('{}');
        });
      });
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      const url = `https://127.0.0.1:${(srv.address() as AddressInfo).port}`;
      const good = new LeanHttp({ server: url, connections: 1, headers: {}, tls: { ca }, timeoutMs: 5000 });
      const bad = new LeanHttp({ server: url, connections: 1, headers: {}, timeoutMs: 5000 });
      try {
        await good.send('POST', '/x', '{"tls":true}');
        assert.deepEqual(bodies, ['{"tls":true}']);
        await assert.rejects(bad.send('POST', '/x', '{}'), /self.signed|certificate/i);
      } finally {
        good.close();
        bad.close();
        srv.closeAllConnections();
        await new Promise<void>((r) =>
          srv.close(() => {
            r();
          }),
        );
      }
    });
  });
});
