/**
 * The network-fault relay on real loopback sockets, in front of an echo server: it passes bytes
 * and half-closes, adds its latency each way, black-holes a partition (bytes neither delivered
 * nor refused, connections kept open, new ones unanswered) and delivers all of it on the heal,
 * and refuses connections while its target is down. Asserts wait for events; the one fixed wait
 * is how long nothing must happen during a partition (a lower bound only, so load cannot fail it).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { PASS } from '../../../../src/testbed/relay/delay-line.js';
import { passClose, TcpRelay } from '../../../../src/testbed/relay/tcp-relay.js';

const HOST = '127.0.0.1';

/** Resolves with everything `socket` receives up to `bytes`. */
function read(socket: Socket, bytes: number): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const onData = (d: Buffer): void => {
      got += d.toString();
      if (got.length >= bytes) {
        socket.off('data', onData);
        resolve(got);
      }
    };
    socket.on('data', onData);
  });
}

async function dial(port: number): Promise<Socket> {
  const s = connect({ host: HOST, port, allowHalfOpen: true });
  await once(s, 'connect');
  return s;
}

describe('the network-fault relay', () => {
  let echo: Server;
  let relay: TcpRelay;
  /** Bytes the echo server received, and connections it accepted. */
  let received = '';
  let accepted = 0;
  const open: Socket[] = [];

  before(async () => {
    echo = createServer({ allowHalfOpen: true }, (s) => {
      accepted++;
      s.on('data', (d: Buffer) => {
        received += d.toString();
        s.write(d);
      });
      s.on('end', () => s.end());
    });
    echo.listen(0, HOST);
    await once(echo, 'listening');
    relay = await TcpRelay.start({
      host: HOST,
      upstream: { host: HOST, port: (echo.address() as AddressInfo).port },
    });
  });
  after(async () => {
    for (const s of open) s.destroy();
    await relay.close();
    echo.close();
  });

  const client = async (): Promise<Socket> => {
    const s = await dial(relay.port);
    open.push(s);
    return s;
  };

  it('passes bytes both ways and carries a half-close through', async () => {
    const s = await client();
    const reply = read(s, 5);
    s.write('hello');
    assert.equal(await reply, 'hello');
    const ended = once(s, 'end');
    s.end();
    await ended;
  });

  it('adds its latency to each direction', async () => {
    const s = await client();
    relay.setMode({ kind: 'delay', delayMs: 150 });
    const t0 = performance.now();
    const reply = read(s, 4);
    s.write('ping');
    assert.equal(await reply, 'ping');
    const rtt = performance.now() - t0;
    relay.setMode(PASS);
    assert.ok(rtt >= 299, `round trip ${rtt.toFixed(1)} ms, want at least 2 x 150`);
  });

  it('black-holes a partition and delivers everything on the heal', async () => {
    const s = await client();
    let closed = false;
    s.on('close', () => (closed = true));
    const warm = read(s, 4);
    s.write('warm');
    await warm; // the target has taken this connection
    const before = { received, accepted };
    relay.setMode({ kind: 'partition' });
    const reply = read(s, 3);
    s.write('old');
    // A new connection is taken but never answered, as behind a dropped-packet partition.
    const late = await client();
    const lateReply = read(late, 3);
    late.write('new');
    await sleep(300);
    assert.equal(received, before.received, 'nothing reached the target');
    assert.equal(accepted, before.accepted, 'the new connection did not reach the target');
    assert.equal(closed, false, 'the connection is held open, not refused or reset');
    relay.setMode(PASS);
    assert.equal(await reply, 'old');
    assert.equal(await lateReply, 'new');
    assert.equal(accepted, before.accepted + 1);
  });

  it('refuses connections while its target is down, on the same port again once it is up', async () => {
    const port = relay.port;
    relay.upstreamDown();
    const refused = connect({ host: HOST, port });
    const [err] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    assert.equal(err.code, 'ECONNREFUSED');
    await relay.upstreamUp({ host: HOST, port: (echo.address() as AddressInfo).port });
    assert.equal(relay.port, port);
    const s = await client();
    const reply = read(s, 2);
    s.write('up');
    assert.equal(await reply, 'up');
  });

  it('stays closed when its target comes back after the relay was closed (a restart racing the testbed down)', async () => {
    const late = await TcpRelay.start({ host: HOST, upstream: { host: HOST, port: relay.port } });
    const port = late.port;
    late.upstreamDown();
    await late.close();
    await late.upstreamUp({ host: HOST, port: (echo.address() as AddressInfo).port });
    const refused = connect({ host: HOST, port });
    const [err] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    assert.equal(err.code, 'ECONNREFUSED');
  });
});

describe('passing a close on to the other side of a relayed connection', () => {
  let server: Server;
  const accepted: Socket[] = [];
  before(async () => {
    server = createServer({ allowHalfOpen: true }, (s) => {
      s.on('error', () => undefined);
      accepted.push(s);
    });
    server.listen(0, HOST);
    await once(server, 'listening');
  });
  after(() => {
    for (const s of accepted) s.destroy();
    server.close();
  });

  /** A connected pair: ours (the relay's side) and the server's. */
  const pair = async (): Promise<{ ours: Socket; theirs: Socket }> => {
    const connected = once(server, 'connection') as Promise<[Socket]>;
    const ours = await dial((server.address() as AddressInfo).port);
    ours.on('error', () => undefined);
    const [theirs] = await connected;
    return { ours, theirs };
  };

  it('passes a reset as a reset', async () => {
    const { ours, theirs } = await pair();
    const failed = once(theirs, 'error') as Promise<[NodeJS.ErrnoException]>;
    passClose(ours, true);
    const [err] = await failed;
    assert.equal(err.code, 'ECONNRESET');
  });

  it('passes an orderly close as an end', async () => {
    const { ours, theirs } = await pair();
    theirs.resume();
    const ended = once(theirs, 'end');
    passClose(ours, false);
    await ended;
  });

  it('closes a socket reset while its own end is still being sent (Node would leak it and spin at exit)', async () => {
    const { ours, theirs } = await pair();
    theirs.resume();
    const closed = once(ours, 'close');
    // An end delivered just before the reset, in the same tick (a delay line releasing both at once).
    ours.end();
    passClose(ours, true);
    const bound = sleep(10_000, undefined, { ref: false }).then(() => 'still open');
    assert.notEqual(await Promise.race([closed, bound]), 'still open', 'the socket never closed');
  });
});
