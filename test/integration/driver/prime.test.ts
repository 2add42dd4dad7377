import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PRIME_PATH, primeHotPath } from '../../../src/driver/prime.js';
import { LeanHttp } from '../../../src/kube/lean-http.js';
import { close, server } from '../../support/recording-server.js';

describe("priming the driver's create path before the schedule starts", () => {
  it('sends the asked number of GET /version on the keep-alive client, over at most `lanes` connections, all kept open', async () => {
    const s = await server((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"major":"1","minor":"30"}');
    });
    const http = new LeanHttp({ server: s.url, connections: 64, headers: {}, timeoutMs: 5000 });
    try {
      const r = await primeHotPath(http, 300, 8);
      assert.deepEqual({ sent: r.sent, failed: r.failed }, { sent: 300, failed: 0 });
      assert.equal(s.seen.length, 300);
      assert.ok(
        s.seen.every((q) => q.method === 'GET' && q.url === PRIME_PATH),
        'only GET /version',
      );
      // The lanes ran at once: 8 connections opened, and reused rather than reopened.
      assert.equal(s.sockets.size, 8);
      assert.ok(
        [...s.sockets].every((k) => !k.destroyed),
        'the connections stay open for the creates',
      );
    } finally {
      http.close();
      await close(s.srv);
    }
  });

  it('counts failures without throwing: a target that answers 404 still lets the run start', async () => {
    const s = await server((_, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"kind":"Status","code":404}');
    });
    const http = new LeanHttp({ server: s.url, connections: 4, headers: {}, timeoutMs: 5000 });
    try {
      const r = await primeHotPath(http, 20, 16);
      assert.deepEqual({ sent: r.sent, failed: r.failed }, { sent: 20, failed: 20 });
      assert.ok(s.sockets.size <= 4, `${s.sockets.size} connections: lanes are capped by the client`);
    } finally {
      http.close();
      await close(s.srv);
    }
  });
});
