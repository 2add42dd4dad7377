import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { chunkOf, frameChunk, framedLine } from '../../../../src/testbed/napi/chunk-framing.js';
import { ChunkedSink } from '../../../../src/testbed/napi/chunked-sink.js';

/** Sends raw request text on one connection and returns every byte the server sent back. */
function rawExchange(port: number, requests: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // Not end(): a half-closed client gets no pipelined answers. Connection: close ends it.
    const socket = connect(port, '127.0.0.1', () => socket.write(requests));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (text += d));
    socket.on('end', () => {
      resolve(text);
    });
    socket.on('error', reject);
  });
}

function bodyOf(response: string): string {
  return response.slice(response.indexOf('\r\n\r\n') + 4);
}

const shared = framedLine('{"type":"ADDED","object":', '{"name":"ünïcode"}', '}\n');

function stream(res: ServerResponse, write: (chunk: string | Buffer) => void): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  write('{"type":"BOOKMARK"}\n');
  write(shared);
  write('');
  write(Buffer.from('{"type":"DELETED"}\n'));
  write(shared);
  res.end();
}

describe('ChunkedSink', () => {
  let server: Server;
  let port: number;

  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/plain') stream(res, (c) => res.write(c));
      else if (req.url === '/sink') {
        const sink = new ChunkedSink(res);
        stream(res, (c) => sink.write(c));
      } else if (req.url === '/slow') setTimeout(() => res.end('slow'), 100);
      else res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('puts the same bytes on the wire as res.write', async () => {
    const plain = bodyOf(
      await rawExchange(port, 'GET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    );
    const sink = bodyOf(
      await rawExchange(port, 'GET /sink HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    );
    assert.equal(sink, plain);
    assert.match(sink, /0\r\n\r\n$/, 'the body ends with the last chunk');
  });

  it('falls back to res.write while the response has no socket yet (pipelined behind a slow one)', async () => {
    const text = await rawExchange(
      port,
      'GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /sink HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    const plain = bodyOf(
      await rawExchange(port, 'GET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    );
    const second = text.indexOf('HTTP/1.1 200', 1);
    assert.ok(second > 0, 'two responses');
    assert.match(text.slice(0, second), /slow$/);
    assert.equal(bodyOf(text.slice(second)), plain);
  });
});

describe('chunk framing', () => {
  it('frames a line built by framedLine once, as a view into that chunk', () => {
    const line = framedLine('<', 'ü', '>\n');
    assert.equal(line.toString('utf8'), '<ü>\n');
    const chunk = chunkOf(line);
    assert.equal(chunk.toString('utf8'), '5\r\n<ü>\n\r\n');
    assert.equal(chunk.buffer, line.buffer, 'the line is part of its chunk, not a copy');
    assert.equal(chunkOf(line), chunk);
  });

  it('frames any other Buffer on demand and remembers it', () => {
    const data = Buffer.from('x'.repeat(300));
    const chunk = chunkOf(data);
    assert.deepEqual(chunk, frameChunk(data));
    assert.equal(chunk.subarray(0, 5).toString(), '12c\r\n');
    assert.equal(chunkOf(data), chunk);
  });
});
