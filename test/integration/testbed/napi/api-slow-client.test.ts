import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startApiserverStack, type ApiserverStack } from '../../../../src/testbed/apiserver-stack.js';
import { startKubeFrontStack, type KubeFrontStack } from '../../../../src/testbed/kapi/kube-front-stack.js';
import { GV } from '../../../support/stack.js';

const HEADERS_MS = 1000;
const REQUEST_MS = 2000;

/**
 * Opens a connection, writes `head`, then one more byte of `drip` every 200 ms, and resolves with
 * how long the server kept the connection and what it answered.
 */
function slowClient(url: string, head: string, drip: string): Promise<{ heldMs: number; answer: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((done, fail) => {
    const started = Date.now();
    const socket = connect(Number(port), hostname);
    let answer = '';
    let i = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      socket.write(head);
      timer = setInterval(() => {
        if (!socket.writable) return;
        socket.write(drip[i % drip.length] ?? 'x');
        i++;
      }, 200);
    });
    socket.on('data', (d: string) => (answer += d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      done({ heldMs: Date.now() - started, answer });
    });
    // The test fails rather than hangs if the server never lets go.
    setTimeout(() => {
      socket.destroy();
      fail(new Error(`the server held a slow client for 20 s (${url})`));
    }, 20_000).unref();
  });
}

describe('the network-apiserver and kube front drop clients that send their request too slowly (slowloris)', () => {
  let dir = '';
  let stack: ApiserverStack;
  let front: KubeFrontStack;
  const servers: [string, () => string][] = [
    ['network-apiserver', () => stack.napis[0]?.url ?? ''],
    ['kube front', () => front.fronts[0]?.url ?? ''],
  ];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-slow-client-'));
    const timeouts = { headersTimeoutMs: HEADERS_MS, requestTimeoutMs: REQUEST_MS };
    stack = await startApiserverStack({ dir, napi: timeouts, log: () => undefined });
    front = await startKubeFrontStack({
      dir,
      napiServers: stack.napis.map((n) => n.url),
      front: timeouts,
      log: () => undefined,
    });
  });
  after(async () => {
    await front.stop();
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  });

  for (const [what, url] of servers) {
    it(`${what}: headers that never end are cut off after the headers timeout`, async () => {
      const { heldMs, answer } = await slowClient(
        url(),
        'GET /version HTTP/1.1\r\nHost: x\r\n',
        'X-Slow: y\r\n',
      );
      // Node looks for late clients once a second.
      assert.ok(heldMs >= HEADERS_MS && heldMs < HEADERS_MS + 3000, `held ${heldMs} ms`);
      assert.match(answer, /^(HTTP\/1\.1 408|$)/);
    });

    it(`${what}: a body that trickles in is cut off after the request timeout`, async () => {
      const head = `POST ${GV}/namespaces/slow/subnets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`;
      const { heldMs } = await slowClient(url(), head, '{"a":1}      ');
      assert.ok(heldMs >= REQUEST_MS && heldMs < REQUEST_MS + 3000, `held ${heldMs} ms`);
    });

    it(`${what}: a watch lasts past both timeouts (only the request counts)`, async () => {
      const started = Date.now();
      const res = await fetch(`${url()}${GV}/subnets?watch=1&timeoutSeconds=4`);
      assert.equal(res.status, 200);
      await res.text();
      const lasted = Date.now() - started;
      assert.ok(lasted >= 3900, `the watch ended after ${lasted} ms, before its own 4 s`);
    });
  }
});
