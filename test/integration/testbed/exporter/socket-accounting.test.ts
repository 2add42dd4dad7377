import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, get, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Client } from 'undici';
import { nodeAddress } from '../../../../src/testbed/node-addresses.js';
import {
  parseSocketStats,
  startNodeStatsServer,
} from '../../../../src/testbed/exporter/node-stats-server.js';
import {
  installSocketAccounting,
  UNKNOWN_ADDRESS,
  type ByteCounts,
  type SocketAccounting,
} from '../../../../src/testbed/exporter/socket-accounting.js';

// Addresses no other test uses: a napi far beyond any testbed's, and hollow nodes likewise.
const SERVER = nodeAddress('napi', 150);
const STATS = nodeAddress('napi', 151);
const RAW_CLIENT = nodeAddress('comp', 6000);
const UNDICI_CLIENT = nodeAddress('comp', 6001);
const NODE_HTTP_CLIENT = nodeAddress('comp', 6002);
const QUEUED_CLIENT = nodeAddress('comp', 6003);

const RESPONSE_BODY = 'hello from the server';

function bytesOf(snapshot: Map<string, ByteCounts>, address: string): ByteCounts {
  return snapshot.get(address) ?? { receivedBytes: 0, sentBytes: 0 };
}

function delta(a: Map<string, ByteCounts>, b: Map<string, ByteCounts>, address: string): ByteCounts {
  const x = bytesOf(a, address);
  const y = bytesOf(b, address);
  return { receivedBytes: y.receivedBytes - x.receivedBytes, sentBytes: y.sentBytes - x.sentBytes };
}

async function closed(socket: Socket): Promise<void> {
  if (!socket.closed) await once(socket, 'close');
}

describe('socket accounting', () => {
  let accounting: SocketAccounting;
  let server: Server;
  let port = 0;
  /** The server side of each connection, in accept order. */
  const accepted: Socket[] = [];

  before(async () => {
    accounting = installSocketAccounting();
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.sendDate = false;
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': RESPONSE_BODY.length });
        res.end(RESPONSE_BODY);
      });
    });
    server.on('connection', (s: Socket) => accepted.push(s));
    await new Promise<void>((resolve) => server.listen(0, SERVER, resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('is installed once per process', () => {
    assert.equal(installSocketAccounting(), accounting);
  });

  it('counts the exact bytes of a known HTTP exchange on both sides', async () => {
    const before = accounting.snapshot();
    const requestText =
      `POST /exact HTTP/1.1\r\nHost: ${SERVER}:${port}\r\nContent-Length: 11\r\n` +
      'Connection: close\r\n\r\nhello world';
    const client = connect({ host: SERVER, port, localAddress: RAW_CLIENT });
    const chunks: Buffer[] = [];
    client.on('data', (c: Buffer) => chunks.push(c));
    client.on('connect', () => client.write(requestText));
    await closed(client);
    const serverSide = accepted.at(-1);
    assert.ok(serverSide);
    await closed(serverSide);
    const response = Buffer.concat(chunks);
    assert.match(response.toString(), /^HTTP\/1\.1 200 OK\r\n[\s\S]*hello from the server$/);
    const after = accounting.snapshot();
    const requestBytes = Buffer.byteLength(requestText);
    assert.deepEqual(delta(before, after, RAW_CLIENT), {
      receivedBytes: response.length,
      sentBytes: requestBytes,
    });
    assert.deepEqual(delta(before, after, SERVER), {
      receivedBytes: requestBytes,
      sentBytes: response.length,
    });
  });

  it('counts bytes written while connecting as `unknown`, then under the address it connected from', async () => {
    const before = accounting.snapshot();
    const requestText = `GET /queued HTTP/1.1\r\nHost: ${SERVER}:${port}\r\nConnection: close\r\n\r\n`;
    const client = connect({ host: SERVER, port, localAddress: QUEUED_CLIENT });
    client.write(requestText);
    const connecting = accounting.snapshot();
    assert.equal(client.connecting, true);
    assert.equal(delta(before, connecting, UNKNOWN_ADDRESS).sentBytes, Buffer.byteLength(requestText));
    client.resume();
    await closed(client);
    const after = accounting.snapshot();
    assert.equal(delta(before, after, UNKNOWN_ADDRESS).sentBytes, 0);
    assert.equal(delta(before, after, QUEUED_CLIENT).sentBytes, Buffer.byteLength(requestText));
    assert.ok(delta(before, after, QUEUED_CLIENT).receivedBytes > RESPONSE_BODY.length);
  });

  it('counts live keep-alive sockets (undici with a bound local address) and keeps the count at close', async () => {
    const before = accounting.snapshot();
    const client = new Client(`http://${SERVER}:${port}`, { localAddress: UNDICI_CLIENT });
    const body = 'x'.repeat(1000);
    for (let i = 0; i < 3; i++) {
      const res = await client.request({ path: '/keep', method: 'POST', body });
      assert.equal(await res.body.text(), RESPONSE_BODY);
    }
    const live = accounting.snapshot();
    const clientSide = delta(before, live, UNDICI_CLIENT);
    assert.ok(clientSide.sentBytes > 3 * body.length, `sent ${clientSide.sentBytes}`);
    assert.ok(clientSide.receivedBytes > 3 * RESPONSE_BODY.length, `received ${clientSide.receivedBytes}`);
    assert.deepEqual(delta(before, live, SERVER), {
      receivedBytes: clientSide.sentBytes,
      sentBytes: clientSide.receivedBytes,
    });
    const serverSide = accepted.at(-1);
    assert.ok(serverSide);
    await client.close();
    await closed(serverSide);
    const done = accounting.snapshot();
    assert.deepEqual(delta(before, done, UNDICI_CLIENT), clientSide, 'unchanged when the socket closes');
    assert.deepEqual(delta(before, done, SERVER), delta(before, live, SERVER));
  });

  it('counts node:http client sockets with a local address', async () => {
    const before = accounting.snapshot();
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        { host: SERVER, port, path: '/node', method: 'POST', localAddress: NODE_HTTP_CLIENT, agent: false },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end('abc');
    });
    const serverSide = accepted.at(-1);
    assert.ok(serverSide);
    await closed(serverSide);
    const after = accounting.snapshot();
    const c = delta(before, after, NODE_HTTP_CLIENT);
    assert.ok(c.sentBytes > 3 && c.receivedBytes > RESPONSE_BODY.length, JSON.stringify(c));
    assert.deepEqual(delta(before, after, SERVER), {
      receivedBytes: c.sentBytes,
      sentBytes: c.receivedBytes,
    });
  });

  it('serves the counts on /metrics and leaves its own connections out', async () => {
    const stats = await startNodeStatsServer({ host: STATS, accounting });
    try {
      const fetchStats = (): Promise<string> =>
        new Promise((resolve, reject) => {
          get(stats.url, { agent: false }, (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (text += c));
            res.on('end', () => {
              resolve(text);
            });
          }).on('error', reject);
        });
      await fetchStats();
      const text = await fetchStats();
      const served = parseSocketStats(text);
      const now = accounting.snapshot();
      assert.equal(now.has(STATS), false, 'the stats server’s own traffic is not counted');
      assert.deepEqual(served.get(SERVER), now.get(SERVER));
      assert.deepEqual(served.get(RAW_CLIENT), now.get(RAW_CLIENT));
      assert.match(stats.url, new RegExp(`^http://${STATS.replace(/\./g, '\\.')}:\\d+/metrics$`));
    } finally {
      await stats.stop();
    }
  });
});
