import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResponseParser, type ParsedResponse } from '../../../src/kube/lean-http-parser.js';

/** Feeds `text` in pieces of `step` bytes; returns every response completed, in order. */
function feed(text: string, step: number, keepBodies = false): ParsedResponse[] {
  const p = new ResponseParser(keepBodies);
  const bytes = Buffer.from(text, 'latin1');
  const out: ParsedResponse[] = [];
  for (let i = 0; i < bytes.length; i += step) {
    let piece = bytes.subarray(i, i + step);
    // A response ends inside a piece: the rest of the piece starts the next one.
    for (;;) {
      const r = p.push(piece);
      if (r === undefined) break;
      out.push(r);
      if (r.extra === 0) break;
      piece = piece.subarray(piece.length - r.extra);
    }
  }
  return out;
}

const H = 'HTTP/1.1';
const cases: { what: string; text: string; expect: Partial<ParsedResponse>[] }[] = [
  {
    what: 'a 201 with Content-Length (body not kept)',
    text: `${H} 201 Created\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"a":"123"}`,
    expect: [{ status: 201, body: '', close: false }],
  },
  {
    what: 'a chunked 201 with two chunks and a chunk extension',
    text: `${H} 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\n{"a":\r\n3\r\n"b"\r\n1\r\n}\r\n0\r\n\r\n`,
    expect: [{ status: 201, body: '' }],
  },
  {
    what: 'a 404 keeps its body for the message',
    text: `${H} 404 Not Found\r\ncontent-length: 27\r\n\r\n{"reason":"NotFound","x":1}`,
    expect: [{ status: 404, body: '{"reason":"NotFound","x":1}' }],
  },
  {
    what: 'a chunked 409 keeps its body',
    text: `${H} 409 Conflict\r\ntransfer-encoding: chunked\r\n\r\n4\r\nabcd\r\n2\r\nef\r\n0\r\nX-Trailer: 1\r\n\r\n`,
    expect: [{ status: 409, body: 'abcdef' }],
  },
  {
    what: 'a 100 Continue before the answer is skipped',
    text: `${H} 100 Continue\r\n\r\n${H} 200 OK\r\nContent-Length: 0\r\n\r\n`,
    expect: [{ status: 200 }],
  },
  {
    what: 'a 204 has no body even with no length',
    text: `${H} 204 No Content\r\n\r\n`,
    expect: [{ status: 204, close: false }],
  },
  {
    what: 'Connection: close and Keep-Alive timeout are reported',
    text: `${H} 200 OK\r\nConnection: close\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\nok`,
    expect: [{ status: 200, close: true, keepAliveMs: 5000 }],
  },
  {
    what: 'HTTP/1.0 closes unless it asks to keep alive',
    text: `HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n`,
    expect: [
      { status: 200, close: true },
      { status: 200, close: false },
    ],
  },
  {
    what: 'two answers back to back',
    text: `${H} 200 OK\r\nContent-Length: 1\r\n\r\na${H} 500 Oops\r\nContent-Length: 3\r\n\r\nbad`,
    expect: [{ status: 200 }, { status: 500, body: 'bad' }],
  },
];

describe('the lean HTTP response parser', () => {
  for (const c of cases) {
    for (const step of [1, 3, 7, 10_000]) {
      it(`reads ${c.what}, fed ${step} byte(s) at a time`, () => {
        const got = feed(c.text, step);
        assert.equal(got.length, c.expect.length);
        c.expect.forEach((e, i) => {
          const g = got[i] as ParsedResponse;
          for (const [k, v] of Object.entries(e))
            assert.deepEqual(g[k as keyof ParsedResponse], v, `${k} of #${i}`);
        });
      });
    }
  }

  const big = 'x'.repeat(70 * 1024);
  const kept: { what: string; text: string; expect: Partial<ParsedResponse>[] }[] = [
    {
      what: 'a 200 list with Content-Length and its content type',
      text: `${H} 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"a":"123"}`,
      expect: [{ status: 200, body: '{"a":"123"}', contentType: 'application/json' }],
    },
    {
      what: 'a chunked 201 whole, then a 204 with none',
      text: `${H} 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"a":\r\n2\r\n1}\r\n0\r\n\r\n${H} 204 No Content\r\n\r\n`,
      expect: [
        { status: 201, body: '{"a":1}' },
        { status: 204, body: '' },
      ],
    },
    {
      what: 'a body over 64 KiB whole',
      text: `${H} 200 OK\r\nContent-Length: ${big.length}\r\n\r\n${big}`,
      expect: [{ status: 200, body: big }],
    },
  ];
  for (const c of kept) {
    for (const step of [1, 7, 100_000]) {
      if (step === 1 && c.text.length > 10_000) continue;
      it(`keeping every body, reads ${c.what}, fed ${step} byte(s) at a time`, () => {
        const got = feed(c.text, step, true);
        assert.equal(got.length, c.expect.length);
        c.expect.forEach((e, i) => {
          const g = got[i] as ParsedResponse;
          for (const [k, v] of Object.entries(e))
            assert.deepEqual(g[k as keyof ParsedResponse], v, `${k} of #${i}`);
        });
      });
    }
  }

  it('ends a body that runs until the connection closes', () => {
    const p = new ResponseParser();
    assert.equal(p.push(Buffer.from(`${H} 500 Oops\r\n\r\npart one `)), undefined);
    assert.equal(p.push(Buffer.from('part two')), undefined);
    assert.deepEqual(p.end(), { status: 500, body: 'part one part two', close: true, extra: 0 });
  });

  it('keeps nothing of a chunk whose memory is reused for the next read', () => {
    const text = `${H} 409 Conflict\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n0\r\n\r\n`;
    const scratch = Buffer.alloc(16);
    const p = new ResponseParser();
    const got: ParsedResponse[] = [];
    for (let i = 0; i < text.length; i += scratch.length) {
      const n = scratch.write(text.slice(i, i + scratch.length), 'latin1');
      const r = p.push(scratch.subarray(0, n));
      if (r !== undefined) got.push(r);
      scratch.fill(0x7a);
    }
    assert.deepEqual(
      got.map((r) => [r.status, r.body]),
      [[409, 'abcdef']],
    );
  });

  it('reports the bytes after a complete answer', () => {
    const r = new ResponseParser().push(Buffer.from(`${H} 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 2`));
    assert.equal(r?.extra, 10);
  });

  const bad = [
    { what: 'not HTTP', text: 'SSH-2.0-OpenSSH\r\n\r\n' },
    { what: 'a bad status', text: `${H} abc Nope\r\n\r\n` },
    { what: 'a bad length', text: `${H} 200 OK\r\nContent-Length: -4\r\n\r\n` },
    { what: 'a bad chunk size', text: `${H} 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n` },
  ];
  for (const b of bad) {
    it(`throws on ${b.what}`, () => {
      assert.throws(() => new ResponseParser().push(Buffer.from(b.text)));
    });
  }
});
