import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { RestClient } from '../../../src/kube/rest-client.js';

/** A port that was just free: nothing listens there, so connections to it are refused. */
async function refusedUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => {
    s.close(() => {
      resolve();
    });
  });
  return `http://127.0.0.1:${port}`;
}

describe('a client of several replicas moves past one that refuses connections', () => {
  let live: Server;
  let liveUrl: string;
  let deadUrl: string;
  let served = 0;

  before(async () => {
    live = createServer((req, res) => {
      served++;
      if (req.url?.includes('watch=true') === true) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          `${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'x', resourceVersion: '7' } } })}\n`,
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"kind":"Status","status":"Success"}');
    });
    await new Promise<void>((resolve) => live.listen(0, '127.0.0.1', resolve));
    liveUrl = `http://127.0.0.1:${(live.address() as AddressInfo).port}`;
    deadUrl = await refusedUrl();
  });
  after(async () => {
    live.closeAllConnections();
    await new Promise<void>((resolve) => {
      live.close(() => {
        resolve();
      });
    });
  });

  for (const leanRequests of [false, true]) {
    it(`a request (even a POST) goes to the next replica, and later ones start there (leanRequests ${String(leanRequests)})`, async () => {
      const client = new RestClient({ server: deadUrl, alternates: [deadUrl, liveUrl], leanRequests });
      try {
        const before = served;
        await client.create(
          { group: '', version: 'v1', resource: 'namespaces' },
          { metadata: { name: 'a' } },
        );
        assert.equal(served, before + 1);
        assert.equal(client.currentServer, liveUrl);
        await client.request('GET', '/healthz');
        assert.equal(served, before + 2);
      } finally {
        await client.close();
      }
    });
  }

  it('a refused watch fails, and the watcher’s next try reaches the next replica', async () => {
    for (const leanWatches of [false, true]) {
      const client = new RestClient({ server: deadUrl, alternates: [liveUrl], leanWatches });
      try {
        const ref = { group: '', version: 'v1', resource: 'namespaces' };
        await assert.rejects(
          client.watch(ref, {}, () => undefined),
          { code: 'ECONNREFUSED' },
        );
        const names: string[] = [];
        await client.watch(ref, {}, (e) => names.push(e.object.metadata.name ?? ''));
        assert.deepEqual(names, ['x'], `leanWatches ${String(leanWatches)}`);
      } finally {
        await client.close();
      }
    }
  });

  it('with no alternates, a refused connection is the caller’s error as before', async () => {
    const client = new RestClient({ server: deadUrl });
    try {
      await assert.rejects(client.request('GET', '/healthz'), { code: 'ECONNREFUSED' });
      assert.equal(client.currentServer, deadUrl);
    } finally {
      await client.close();
    }
  });
});
