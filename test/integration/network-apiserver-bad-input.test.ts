import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { attachment, call, GV, withStack } from '../support/stack.js';

type Stack = Awaited<ReturnType<typeof withStack>>;

describe('network-apiserver answers bad input with the right Status and stays healthy', () => {
  let stack: Stack;
  let url: string;
  const coll = `${GV}/namespaces/bad/networkattachments`;

  before(async () => {
    stack = await withStack({ napi: { maxBodyBytes: 64 * 1024 } });
    url = stack.napis[0]?.url ?? '';
  });
  after(async () => {
    await stack.cleanup();
  });

  const cases: [string, string, string, unknown, string, number, string][] = [
    ['malformed JSON', 'POST', coll, '{"kind":', 'application/json', 400, 'BadRequest'],
    ['a JSON array body', 'POST', coll, '[1,2]', 'application/json', 400, 'BadRequest'],
    [
      'the wrong kind',
      'POST',
      coll,
      { ...attachment('k', 'comp0'), kind: 'Subnet' },
      'application/json',
      400,
      'BadRequest',
    ],
    [
      'a field of the wrong type',
      'POST',
      coll,
      { ...attachment('k', 'comp0'), spec: { node: 5 } },
      'application/json',
      400,
      'BadRequest',
    ],
    ['an invalid name', 'POST', coll, attachment('Not_A_Name', 'comp0'), 'application/json', 422, 'Invalid'],
    [
      'an invalid label',
      'POST',
      coll,
      attachment('ok', 'comp0', { 'bad key!': 'x' }),
      'application/json',
      422,
      'Invalid',
    ],
    ['no name', 'POST', coll, { spec: { node: 'x', subnet: 'y' } }, 'application/json', 422, 'Invalid'],
    [
      'an oversize body',
      'POST',
      coll,
      { ...attachment('big', 'comp0'), spec: { node: 'x'.repeat(100_000), subnet: 's' } },
      'application/json',
      413,
      'RequestEntityTooLarge',
    ],
    ['YAML instead of JSON', 'POST', coll, 'kind: X', 'application/yaml', 415, 'UnsupportedMediaType'],
    [
      'an apply patch',
      'PATCH',
      `${coll}/x`,
      '{}',
      'application/apply-patch+yaml',
      415,
      'UnsupportedMediaType',
    ],
    [
      'an unknown resource',
      'GET',
      `${GV}/namespaces/bad/widgets`,
      undefined,
      'application/json',
      404,
      'NotFound',
    ],
    ['POST to a named path', 'POST', `${coll}/x`, {}, 'application/json', 405, 'MethodNotAllowed'],
    ['a missing object', 'GET', `${coll}/missing`, undefined, 'application/json', 404, 'NotFound'],
  ];
  for (const [what, method, path, body, type, code, reason] of cases) {
    it(`answers ${what} with ${code} ${reason}`, async () => {
      const r = await call(url, method, path, body, type);
      assert.equal(r.status, code);
      assert.equal(r.json.kind, 'Status');
      assert.equal(r.json.reason, reason);
      assert.equal(r.json.code, code);
    });
  }

  it('refuses a duplicate name with 409 AlreadyExists', async () => {
    assert.equal((await call(url, 'POST', coll, attachment('dup', 'comp0'))).status, 201);
    const again = await call(url, 'POST', coll, attachment('dup', 'comp0'));
    assert.equal(again.status, 409);
    assert.equal(again.json.reason, 'AlreadyExists');
  });

  it('survives random requests and etcd then holds only valid objects', async () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
    const types = [
      'application/json',
      'application/merge-patch+json',
      'application/json-patch+json',
      'text/plain',
      '',
    ];
    const bodies = [
      '',
      '{',
      '[]',
      'null',
      '{"metadata":{"name":"f"}}',
      JSON.stringify(attachment('f', 'comp1')),
      '{"metadata":{"name":"f","labels":{"a":1}}}',
      '[{"op":"remove","path":"/spec"}]',
      '{"spec":null}',
      '{"metadata":{"resourceVersion":"x"}}',
    ];
    const paths = [
      coll,
      `${coll}/f`,
      `${coll}/f/status`,
      `${GV}/networkattachments?limit=x`,
      `${coll}?watch=1&resourceVersion=-3`,
      `${coll}?labelSelector=((`,
      `${GV}/namespaces/bad/subnets`,
    ];
    for (let i = 0; i < 300; i++) {
      const r = await call(
        url,
        methods[rand(5)] ?? 'GET',
        paths[rand(paths.length)] ?? coll,
        bodies[rand(bodies.length)],
        types[rand(types.length)],
      );
      assert.ok(r.status < 500, `request ${i} got ${r.status}: ${JSON.stringify(r.json)}`);
    }
    const health = await fetch(`${url}/readyz`);
    assert.equal(health.status, 200);
    const all = await call(url, 'GET', `${GV}/networkattachments`);
    for (const item of all.json.items as {
      metadata: { name: string; uid: string };
      spec: { node: unknown; subnet: unknown };
    }[]) {
      assert.match(item.metadata.uid, /^[0-9a-f-]{36}$/);
      assert.equal(typeof item.spec.node, 'string');
      assert.equal(typeof item.spec.subnet, 'string');
    }
  });
});
