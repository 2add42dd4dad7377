import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { close, server } from '../../support/recording-server.js';
import { KubeApiError } from '../../../src/kube/kube-api-error.js';
import { RestClient } from '../../../src/kube/rest-client.js';
import { SharedEventDecoder } from '../../../src/kube/shared-event-decoder.js';
import type { WatchEvent } from '../../../src/kube/watch-events.js';

const REF = { group: 'network.example.com', version: 'v1alpha1', resource: 'networkattachments' };
const event = (name: string, rv: number): string =>
  `${JSON.stringify({ type: 'ADDED', object: { metadata: { name, resourceVersion: String(rv) } } })}\n`;

/**
 * A raw loopback server that sends `bytes` in slices of `step`, one per turn of its event loop,
 * then ends the connection if `end`.
 */
async function rawServer(
  bytes: Buffer,
  step: number,
  end = false,
): Promise<{ url: string; srv: net.Server }> {
  const srv = net.createServer((socket) => {
    socket.once('data', () => {
      let at = 0;
      const next = (): void => {
        if (at >= bytes.length) {
          if (end) socket.end();
          return;
        }
        socket.write(bytes.subarray(at, at + step));
        at += step;
        setImmediate(next);
      };
      next();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, srv };
}

function chunked(parts: string[], last = '0\r\n\r\n'): Buffer {
  const head = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n';
  const body = parts.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`).join('');
  return Buffer.from(head + body + last);
}

const clients: RestClient[] = [];
function client(url: string, extra: Partial<ConstructorParameters<typeof RestClient>[0]> = {}): RestClient {
  const c = new RestClient({
    server: url,
    leanWatches: true,
    userAgent: 'kos-test-hollow-agent/comp1',
    ...extra,
  });
  clients.push(c);
  return c;
}
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

describe('a watch read straight off its socket (leanWatches)', () => {
  const text = event('é-1', 7) + event('b', 8) + event('c', 9);
  for (const step of [1, 3, 7, 64, 4096]) {
    it(`delivers every event whole when the bytes arrive ${String(step)} at a time`, async () => {
      // Chunk boundaries inside lines and inside a two-byte character, as well as between reads.
      const s = await rawServer(chunked([text.slice(0, 5), text.slice(5, 70), text.slice(70)]), step);
      try {
        const got: WatchEvent[] = [];
        await client(s.url).watch(REF, {}, (e) => got.push(e));
        assert.deepEqual(
          got.map((e) => [e.type, e.object.metadata.name, e.object.metadata.resourceVersion]),
          [
            ['ADDED', 'é-1', '7'],
            ['ADDED', 'b', '8'],
            ['ADDED', 'c', '9'],
          ],
        );
      } finally {
        s.srv.close();
      }
    });
  }

  for (const [framing, head] of [
    ['Content-Length', `HTTP/1.1 200 OK\r\ncontent-length: ${String(Buffer.byteLength(text))}\r\n\r\n`],
    ['until close', 'HTTP/1.0 200 OK\r\nconnection: close\r\n\r\n'],
  ] as const) {
    it(`reads a body framed by ${framing}`, async () => {
      const s = await rawServer(Buffer.from(head + text), 5, framing === 'until close');
      try {
        const got: WatchEvent[] = [];
        await client(s.url).watch(REF, {}, (e) => got.push(e));
        assert.deepEqual(
          got.map((e) => e.object.metadata.name),
          ['é-1', 'b', 'c'],
        );
      } finally {
        s.srv.close();
      }
    });
  }

  it('sends one GET with the watch query, its headers and its own source address', async () => {
    const s = await server((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(event('a', 1));
    });
    try {
      const got: WatchEvent[] = [];
      await client(s.url, { localAddress: '127.0.0.3' }).watch(
        REF,
        { fieldSelector: 'spec.node=comp1', resourceVersion: '5', allowWatchBookmarks: true },
        (e) => got.push(e),
      );
      assert.equal(got.length, 1);
      const seen = s.seen[0];
      assert.ok(seen !== undefined);
      assert.equal(seen.method, 'GET');
      assert.match(seen.url, /^\/apis\/network\.example\.com\/v1alpha1\/networkattachments\?/);
      const q = new URL(seen.url, 'http://x').searchParams;
      assert.equal(q.get('watch'), 'true');
      assert.equal(q.get('fieldSelector'), 'spec.node=comp1');
      assert.equal(q.get('resourceVersion'), '5');
      assert.equal(seen.headers['user-agent'], 'kos-test-hollow-agent/comp1');
      assert.equal(seen.headers.accept, 'application/json');
      assert.equal(seen.socket.remoteAddress, '127.0.0.3');
    } finally {
      await close(s.srv);
    }
  });

  it('rejects an error answer with its status and message', async () => {
    const s = await server((_, res) => {
      res.writeHead(410, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' }),
      );
    });
    try {
      await assert.rejects(
        client(s.url).watch(REF, { resourceVersion: '1' }, () => undefined),
        (e: unknown) =>
          e instanceof KubeApiError && e.code === 410 && e.message.includes('too old resource version'),
      );
    } finally {
      await close(s.srv);
    }
  });

  it('rejects when the connection closes before the answer ends', async () => {
    const full = chunked([event('a', 1)], '');
    const s = await rawServer(full, full.length, true);
    try {
      const got: WatchEvent[] = [];
      await assert.rejects(
        client(s.url).watch(REF, {}, (e) => got.push(e)),
        /closed before the answer ended/,
      );
      assert.equal(got.length, 1);
    } finally {
      s.srv.close();
    }
  });

  it('resolves on abort and closes its connection', async () => {
    let closed!: () => void;
    const serverSawClose = new Promise<void>((r) => (closed = r));
    const s = await server((seen, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(event('a', 1));
      seen.socket.on('close', () => {
        closed();
      });
    });
    try {
      const abort = new AbortController();
      const got: WatchEvent[] = [];
      const done = client(s.url).watch(
        REF,
        {},
        (e) => {
          got.push(e);
          abort.abort();
        },
        abort.signal,
      );
      await done;
      await serverSawClose;
      assert.equal(got.length, 1);
    } finally {
      await close(s.srv);
    }
  });

  it('ends when its client is closed', { timeout: 10_000 }, async () => {
    const s = await server((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(event('a', 1));
    });
    try {
      const c = new RestClient({ server: s.url, leanWatches: true });
      let first!: () => void;
      const got = new Promise<void>((r) => (first = r));
      const done = c.watch(REF, {}, () => {
        first();
      });
      await got;
      await c.close();
      await done;
    } finally {
      await close(s.srv);
    }
  });

  it('hands two watches of one process the same decoded event', async () => {
    const s = await server((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(event('a', 1));
    });
    try {
      const shared = new SharedEventDecoder();
      const got: WatchEvent[] = [];
      for (const c of [
        client(s.url, { decodeWatchEvent: shared.decode }),
        client(s.url, { decodeWatchEvent: shared.decode }),
      ])
        await c.watch(REF, {}, (e) => got.push(e));
      assert.equal(got.length, 2);
      assert.equal(got[0], got[1]);
      assert.deepEqual(shared.counts, { parsed: 1, shared: 1 });
    } finally {
      await close(s.srv);
    }
  });
});
