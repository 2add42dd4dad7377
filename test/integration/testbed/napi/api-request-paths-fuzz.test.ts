import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as fc from 'fast-check';
import { APPS_RESOURCES } from '../../../../src/api/apps/apps-resources.js';
import { CORE_RESOURCES } from '../../../../src/api/core/core-resources.js';
import type { KosObject } from '../../../../src/api/meta.js';
import { isNamespaced, type ResourceType } from '../../../../src/api/resource-type.js';
import { KOS_RESOURCES } from '../../../../src/api/resource-types.js';
import { startApiserverStack, type ApiserverStack } from '../../../../src/testbed/apiserver-stack.js';
import { startKubeFrontStack, type KubeFrontStack } from '../../../../src/testbed/kapi/kube-front-stack.js';
import { decodeObject, metadataErrors } from '../../../../src/testbed/napi/object-decoding.js';
import { GV } from '../../../support/stack.js';

// Fixed, so a failure reproduces; the count keeps the file near 30 s on a quiet 2-core machine.
const SEED = 20261207;
const RUNS = 3000;

const NS = 'fz';
const TERMINATING = 'fz-gone';

interface Reply {
  status: number;
  text: string;
}

async function send(
  base: string,
  method: string,
  path: string,
  body?: string | Uint8Array,
  contentType?: string,
): Promise<Reply> {
  const init: RequestInit = { method, signal: AbortSignal.timeout(15_000) };
  if (contentType !== undefined) init.headers = { 'content-type': contentType };
  if (body !== undefined && method !== 'GET' && method !== 'HEAD') init.body = body;
  const res = await fetch(`${base}${path}`, init);
  return { status: res.status, text: await res.text() };
}

const json = (value: unknown): string => JSON.stringify(value);

/** kube-apiserver's one 5xx for a client's input: a list at a version the server has not reached. */
function isTooLargeVersion(status: number, body: Record<string, unknown>): boolean {
  const causes = (body.details as { causes?: { reason?: string }[] } | undefined)?.causes ?? [];
  return (
    status === 504 && body.reason === 'Timeout' && causes.some((c) => c.reason === 'ResourceVersionTooLarge')
  );
}

// ---- What a request is made of -------------------------------------------------------------

const nastySegment = fc.constantFrom('%', '%zz', '..', 'a%2Fb', 'ü', 'a b', 'x'.repeat(300), '', '-', 'A');
const objectName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('a', 'b', 'c1', 'na-1', 'sub.net') },
  { weight: 1, arbitrary: nastySegment },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);
const namespace = fc.oneof(
  { weight: 5, arbitrary: fc.constant(NS) },
  { weight: 2, arbitrary: fc.constantFrom(TERMINATING, 'nope', 'BAD_NS', 'default') },
  { weight: 1, arbitrary: nastySegment },
);
const labels = fc.dictionary(
  fc.oneof(fc.constantFrom('app', 'runid', 'a/b', 'bad key!'), fc.string({ maxLength: 10 })),
  fc.oneof(fc.constantFrom('x', 'y', ''), fc.string({ maxLength: 10 })),
  { maxKeys: 3 },
);
const smallText = fc.oneof(
  fc.constantFrom('', 'comp0', 's1', 'n-1', 'Bad_Name'),
  fc.string({ maxLength: 12 }),
);

/** A plausible object of `type` (what a real client would send), for the mutators to spoil. */
function plausible(type: ResourceType): fc.Arbitrary<Record<string, unknown>> {
  const meta = fc.record({ name: objectName, labels }, { requiredKeys: [] });
  const base = {
    apiVersion: fc.constant(type.group === '' ? type.version : `${type.group}/${type.version}`),
    kind: fc.constant(type.kind),
  };
  const spec: Record<string, fc.Arbitrary<unknown>> = {
    networkattachments: fc.record(
      {
        node: smallText,
        subnet: smallText,
        postCreateExec: fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.constant('x'.repeat(2_000_000))), {
          maxLength: 2,
        }),
      },
      { requiredKeys: [] },
    ),
    subnets: fc.record(
      {
        ipv4: fc.constantFrom('10.0.0.0/24', '192.168.1.0/30', '8.8.8.0/24', 'junk', ''),
        vni: fc.oneof(fc.integer({ min: -5, max: 2_097_160 }), fc.constant(4096)),
      },
      { requiredKeys: [] },
    ),
    iplocks: fc.record({ subnetName: smallText }, { requiredKeys: [] }),
  };
  const parts: Record<string, fc.Arbitrary<unknown>> = { ...base, metadata: meta };
  const typeSpec = spec[type.resource];
  if (typeSpec !== undefined) parts.spec = typeSpec;
  return fc.record(parts);
}

/** A body: a plausible object, one with a random part, random JSON, broken JSON or bytes. */
function body(type: ResourceType): fc.Arbitrary<string | Uint8Array> {
  return fc.oneof(
    { weight: 4, arbitrary: plausible(type).map(json) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          plausible(type),
          fc.constantFrom('spec', 'metadata', 'status', 'kind', 'apiVersion'),
          fc.jsonValue(),
        )
        .map(([obj, key, value]) => json({ ...obj, [key]: value })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(plausible(type), fc.constantFrom('resourceVersion', 'uid'))
        .map(([obj, field]) =>
          json({ ...obj, metadata: { ...(obj.metadata as object), [field]: '9'.repeat(40) } }),
        ),
    },
    { weight: 1, arbitrary: fc.jsonValue().map(json) },
    { weight: 1, arbitrary: plausible(type).map((o) => json(o).slice(0, -3)) },
    { weight: 1, arbitrary: fc.constant(`{"a":${'['.repeat(3000)}`) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
    // The protobuf envelope's magic, then garbage.
    {
      weight: 1,
      arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => new Uint8Array([0x6b, 0x38, 0x73, 0x00, ...b])),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(
          fc.record({
            op: fc.constantFrom('add', 'replace', 'remove', 'test', 'move', 'bogus'),
            path: fc.constantFrom('/spec', '/spec/node', '/metadata/name', '/metadata/namespace', '/x/y', ''),
            value: fc.jsonValue(),
          }),
          { maxLength: 3 },
        )
        .map(json),
    },
  );
}

const contentType = fc.constantFrom(
  'application/json',
  'application/merge-patch+json',
  'application/json-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
  'application/vnd.kubernetes.protobuf',
  'application/yaml',
  'text/plain',
);

const query = fc.record(
  {
    labelSelector: fc.oneof(
      fc.constantFrom('app=x', 'app in (x,y)', 'app notin (', '!app', 'a,,b', 'x==y==z', 'app', ' =x'),
      fc.string({ maxLength: 15 }),
    ),
    fieldSelector: fc.oneof(
      fc.constantFrom(
        'spec.node=comp0',
        'metadata.name!=a',
        'spec.vni=5',
        'status.nope=1',
        'a=b=c',
        '=',
        ',',
      ),
      fc.string({ maxLength: 15 }),
    ),
    resourceVersion: fc.oneof(
      fc.constantFrom('0', '1', '', '-1', 'abc', '1e3', '9'.repeat(40), '99999999', '9007199254740993'),
      fc.nat().map(String),
    ),
    resourceVersionMatch: fc.constantFrom('NotOlderThan', 'Exact', 'Bogus'),
    limit: fc.constantFrom('1', '0', '-1', 'x', '9'.repeat(30)),
    continue: fc.constantFrom('garbage', 'eyJ2IjoxfQ', ''),
    dryRun: fc.constantFrom('All', 'None'),
    fieldValidation: fc.constantFrom('Strict', 'Warn', 'Ignore', 'bogus'),
    // A watch must end at once; a bad value must be refused.
    timeoutSeconds: fc.constantFrom('0', '1', '-1', '9'.repeat(30)),
    watch: fc.constantFrom('1', 'true', 'false', 'maybe'),
  },
  { requiredKeys: [] },
);

interface Request {
  server: 'napi' | 'kapi';
  method: string;
  path: string;
  body: string | Uint8Array | undefined;
  contentType: string | undefined;
}

const KAPI_TYPES = [...CORE_RESOURCES, ...APPS_RESOURCES];

function pathOf(type: ResourceType, ns: string, name: string | undefined, sub: string | undefined): string {
  const root = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  const scope = isNamespaced(type) && ns !== '*' ? `/namespaces/${ns}` : '';
  const tail = name === undefined ? '' : `/${name}${sub === undefined ? '' : `/${sub}`}`;
  return `${root}${scope}/${type.resource}${tail}`;
}

const anyRequest: fc.Arbitrary<Request> = fc
  .record({
    server: fc.constantFrom('napi' as const, 'kapi' as const),
    // The kube front's own types only on the kube front; KOS's on both (proxied there).
    type: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...KOS_RESOURCES) },
      fc.constantFrom(...KAPI_TYPES),
    ),
    method: fc.constantFrom('GET', 'GET', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
    ns: fc.oneof({ weight: 4, arbitrary: namespace }, fc.constant('*')),
    name: fc.option(objectName, { nil: undefined }),
    // fc.option's freq is the odds of undefined (1 in freq): mostly none, and a subresource now and then.
    sub: fc.oneof(
      { weight: 6, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constantFrom('status', 'scale', 'finalize', 'bogus') },
    ),
    query,
    contentType: fc.option(contentType, { nil: undefined, freq: 8 }),
  })
  .chain((r) =>
    fc.record({
      server: fc.constant(KOS_RESOURCES.includes(r.type) ? r.server : ('kapi' as const)),
      method: fc.constant(r.method),
      // Never delete the namespaces the test stands on (a deletion would only make creates 403).
      path: fc.constant(
        `${pathOf(r.type, r.ns, r.type.resource === 'namespaces' && (r.name === NS || r.name === TERMINATING) ? 'other' : r.name, r.sub)}?${new URLSearchParams(r.query as Record<string, string>).toString()}`,
      ),
      body: fc.option(body(r.type), { nil: undefined, freq: 8 }),
      contentType: fc.constant(r.contentType),
    }),
  );

/** What a working client sends: creates, and patches of the objects they made, with some fields spoiled. */
const clientWrite: fc.Arbitrary<Request> = fc
  .record({
    server: fc.constantFrom('napi' as const, 'kapi' as const),
    type: fc.constantFrom(...KOS_RESOURCES),
    ns: fc.oneof({ weight: 6, arbitrary: fc.constant(NS) }, namespace),
    patch: fc.boolean(),
    name: fc.constantFrom('a', 'b', 'c1', 'na-1', 'sub.net'),
    patchType: fc.constantFrom('application/merge-patch+json', 'application/json-patch+json'),
  })
  .chain((r) =>
    fc.record({
      server: fc.constant(r.server),
      method: fc.constant(r.patch ? 'PATCH' : 'POST'),
      path: fc.constant(pathOf(r.type, r.ns, r.patch ? r.name : undefined, undefined)),
      body: r.patch
        ? body(r.type)
        : plausible(r.type).map((o) => json({ ...o, metadata: { ...(o.metadata as object), name: r.name } })),
      contentType: fc.constant(r.patch ? r.patchType : 'application/json'),
    }),
  );

const request = fc.oneof({ weight: 3, arbitrary: anyRequest }, { weight: 2, arbitrary: clientWrite });

// ---- The servers --------------------------------------------------------------------------

describe('the network-apiserver and kube front answer any request with a Status and store nothing invalid', () => {
  let dir = '';
  let front: KubeFrontStack;
  let stack: ApiserverStack;
  let napi = '';
  let kapi = '';
  const internalErrors: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-api-fuzz-'));
    const log = (m: string): void => {
      if (m.startsWith('internal error')) internalErrors.push(m.split('\n')[0] ?? m);
    };
    // As the testbed wires them: the napi reads namespaces from the kube front's ketcd.
    front = await startKubeFrontStack({ dir, napiServers: [], log });
    stack = await startApiserverStack({
      dir,
      log,
      napi: { namespaceEtcdEndpoints: front.ketcd.clientUrls },
    });
    napi = stack.napis[0]?.url ?? '';
    kapi = front.fronts[0]?.url ?? '';
    front.setNapiServers([napi]);
    for (const name of [NS, TERMINATING, 'default']) {
      const r = await send(
        kapi,
        'POST',
        '/api/v1/namespaces',
        json({ metadata: { name } }),
        'application/json',
      );
      assert.equal(r.status, 201, r.text);
    }
    // No namespace controller runs here: it stays Terminating.
    assert.equal((await send(kapi, 'DELETE', `/api/v1/namespaces/${TERMINATING}`)).status, 200);
  });
  after(async () => {
    await stack.stop();
    await front.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const subnet = { metadata: { name: 's1' }, spec: { ipv4: '10.1.0.0/24', vni: 7 } };
  const cases: {
    what: string;
    base: 'napi' | 'kapi';
    method: string;
    path: string;
    body?: unknown;
    code: number;
    reason: string;
  }[] = [
    {
      what: 'a Subnet in a namespace that does not exist',
      base: 'napi',
      method: 'POST',
      path: `${GV}/namespaces/nope/subnets`,
      body: subnet,
      code: 404,
      reason: 'NotFound',
    },
    {
      what: 'a Subnet in BAD_NS, through the kube front',
      base: 'kapi',
      method: 'POST',
      path: `${GV}/namespaces/BAD_NS/subnets`,
      body: subnet,
      code: 404,
      reason: 'NotFound',
    },
    {
      what: 'a Subnet in a terminating namespace',
      base: 'napi',
      method: 'POST',
      path: `${GV}/namespaces/${TERMINATING}/subnets`,
      body: subnet,
      code: 403,
      reason: 'Forbidden',
    },
    {
      what: 'a Pod in a namespace that does not exist',
      base: 'kapi',
      method: 'POST',
      path: '/api/v1/namespaces/nope/pods',
      body: { metadata: { name: 'p' } },
      code: 404,
      reason: 'NotFound',
    },
    {
      what: 'a NetworkAttachment without its spec',
      base: 'napi',
      method: 'POST',
      path: `${GV}/namespaces/${NS}/networkattachments`,
      body: { metadata: { name: 'nospec' } },
      code: 422,
      reason: 'Invalid',
    },
    {
      what: 'a NetworkAttachment with a 2 MB postCreateExec',
      base: 'kapi',
      method: 'POST',
      path: `${GV}/namespaces/${NS}/networkattachments`,
      body: {
        metadata: { name: 'big' },
        spec: { node: 'comp0', subnet: 's1', postCreateExec: ['x'.repeat(2_000_000)] },
      },
      code: 413,
      reason: 'RequestEntityTooLarge',
    },
    {
      what: 'an overlong resourceVersion',
      base: 'napi',
      method: 'GET',
      path: `${GV}/namespaces/${NS}/subnets?resourceVersion=${'9'.repeat(40)}`,
      code: 400,
      reason: 'BadRequest',
    },
    {
      what: 'an overlong limit',
      base: 'kapi',
      method: 'GET',
      path: `/api/v1/nodes?limit=${'9'.repeat(30)}`,
      code: 400,
      reason: 'BadRequest',
    },
    {
      what: 'a list at a future resourceVersion (kube-apiserver: 504 Too large resource version)',
      base: 'napi',
      method: 'GET',
      path: `${GV}/subnets?resourceVersion=99999999`,
      code: 504,
      reason: 'Timeout',
    },
  ];
  for (const c of cases) {
    it(`answers ${c.what} with ${c.code} ${c.reason}`, async () => {
      const r = await send(
        c.base === 'napi' ? napi : kapi,
        c.method,
        c.path,
        c.body === undefined ? undefined : json(c.body),
        'application/json',
      );
      const status = JSON.parse(r.text) as Record<string, unknown>;
      assert.equal(r.status, c.code, r.text.slice(0, 300));
      assert.equal(status.kind, 'Status');
      assert.equal(status.reason, c.reason);
      assert.equal(status.code, c.code);
    });
  }

  it(`survives ${RUNS} random requests (seed ${SEED}): no 5xx but 504 Too large resource version, a Status on every error`, async () => {
    let tried = 0;
    const byStatus = new Map<number, number>();
    await fc
      .assert(
        fc.asyncProperty(request, async (q) => {
          tried++;
          const r = await send(q.server === 'napi' ? napi : kapi, q.method, q.path, q.body, q.contentType);
          byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
          if (r.status < 400) return;
          let status: Record<string, unknown>;
          try {
            status = JSON.parse(r.text) as Record<string, unknown>;
          } catch {
            assert.fail(
              `${q.method} ${q.path.slice(0, 200)}: ${r.status} without a Status body: ${r.text.slice(0, 200)}`,
            );
          }
          assert.equal(status.kind, 'Status', `${q.method} ${q.path.slice(0, 200)}: ${r.text.slice(0, 300)}`);
          assert.equal(status.code, r.status);
          assert.ok(
            r.status < 500 || isTooLargeVersion(r.status, status),
            `${q.method} ${q.path.slice(0, 200)} (${q.contentType ?? 'no type'}): ${r.status} ${r.text.slice(0, 300)}`,
          );
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      )
      .catch((e: unknown) => {
        // fast-check's message names the input; the assertion that failed on it is its cause.
        throw new Error(`${String(e)}\ncause: ${String((e as Error).cause)}`);
      });
    console.log(
      `fuzz: ${tried} requests tried (seed ${SEED}); answers by status: ${json(Object.fromEntries([...byStatus].sort(([a], [b]) => a - b)))}`,
    );
    assert.deepEqual(internalErrors, [], 'no request was logged as an internal error');
    // The run reached the write paths, not only their refusals.
    assert.ok((byStatus.get(201) ?? 0) > 0, 'some creates succeeded');
    assert.ok(
      [...byStatus.keys()].some((s) => s >= 400 && s < 500),
      'some requests were refused',
    );
    for (const base of [napi, kapi]) assert.equal((await send(base, 'GET', '/readyz')).status, 200);
  });

  it('then holds only valid objects, each in a namespace that exists and was not terminating when it was created', async () => {
    const namespaces = JSON.parse((await send(kapi, 'GET', '/api/v1/namespaces')).text) as {
      items: KosObject[];
    };
    const since = new Map(namespaces.items.map((n) => [n.metadata.name ?? '', n.metadata.deletionTimestamp]));
    const problems: string[] = [];
    let checked = 0;
    for (const type of [...KOS_RESOURCES, ...KAPI_TYPES]) {
      const r = await send(
        type.group === 'network.example.com' ? napi : kapi,
        'GET',
        pathOf(type, '*', undefined, undefined),
      );
      assert.equal(r.status, 200, r.text.slice(0, 200));
      for (const obj of (JSON.parse(r.text) as { items: KosObject[] }).items) {
        checked++;
        const id = `${type.resource} ${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
        try {
          decodeObject(type, obj as unknown as Record<string, unknown>);
        } catch (e: unknown) {
          problems.push(`${id}: does not decode: ${String(e)}`);
        }
        const errors = [...metadataErrors(obj), ...type.validate(obj)];
        if (errors.length > 0) problems.push(`${id}: ${json(errors)}`);
        if (!isNamespaced(type)) continue;
        const ns = obj.metadata.namespace ?? '';
        if (!since.has(ns)) problems.push(`${id}: namespace ${ns} does not exist`);
        const gone = since.get(ns);
        if (gone !== undefined && (obj.metadata.creationTimestamp ?? '') > gone)
          problems.push(`${id}: created after its namespace began terminating`);
      }
    }
    console.log(`fuzz: ${checked} stored objects checked`);
    assert.deepEqual(problems, []);
  });
});
