import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomInt, seededRandom, type Random } from '../../../../src/util/prng.js';
import { Etcd3 } from 'etcd3';
import { isRfc1918, parseCidr } from '../../../../src/api/ipv4-cidr.js';
import { API_VERSION, GROUP, MAX_VNI, MIN_VNI } from '../../../../src/api/kos-types.js';
import type { KosObject } from '../../../../src/api/meta.js';
import type { ResourceType } from '../../../../src/api/resource-type.js';
import { resourceByName } from '../../../../src/api/resource-types.js';
import { describeDecodeError } from '../../../../src/api/schemas.js';
import { metadataErrors } from '../../../../src/testbed/napi/object-decoding.js';
import { attachment, call, GV, withStack } from '../../../support/stack.js';

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
    // Deep nesting used to exhaust the stack in the code after the parser (a 500).
    [
      'JSON nested 10000 deep',
      'POST',
      coll,
      `{"kind":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
      'application/json',
      400,
      'BadRequest',
    ],
    [
      'a merge patch nested 5000 deep',
      'PATCH',
      `${coll}/dup`,
      `{"metadata":${'{"a":'.repeat(5000)}0${'}'.repeat(5000)}}`,
      'application/merge-patch+json',
      400,
      'BadRequest',
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
    const f = new Fuzz(12345);
    // What happened, by "METHOD resource[/status] code", to prove the run reached both success and failure paths.
    const seen = new Map<string, number>();
    const problems: string[] = [];
    for (let i = 0; i < 800; i++) {
      const { method, path, body, contentType, allowed } = await drawRequest(f, url);
      const r = await call(url, method, path, body, contentType);
      // The soup's paths need not match the drawn resource, so name what the path addresses.
      const target = /\/(subnets|networkattachments|iplocks)(?:\/[^/?]+)?(\/status)?/.exec(path);
      const label = `${method} ${target?.[1] ?? 'other'}${target?.[2] ?? ''} ${r.status}`;
      const returned = resourceByName(target?.[1] ?? '');
      seen.set(label, (seen.get(label) ?? 0) + 1);
      assert.ok(
        r.status < 500,
        `request ${i} (${method} ${path}) got ${r.status}: ${JSON.stringify(r.json)}`,
      );
      if (allowed !== undefined) {
        assert.ok(
          allowed.includes(r.status),
          `request ${i} (${method} ${path} ${JSON.stringify(body).slice(0, 200)}) got ${r.status}, want ${allowed.join(' or ')}: ${JSON.stringify(r.json)}`,
        );
      }
      if (r.status >= 400) {
        assert.equal(r.json.kind, 'Status', `request ${i}: a failure is a Status`);
        assert.equal(r.json.code, r.status, `request ${i}: the Status carries the HTTP code`);
      } else if (returned !== undefined && r.json.kind === returned.kind) {
        // Every object the server hands out, written or not, must be one it could have stored.
        for (const p of objectProblems(returned, r.json, false))
          problems.push(`request ${i} (${method} ${path}): ${p}`);
      }
    }
    assert.deepEqual(problems.slice(0, 10), []);
    // The run must have reached the success paths of every kind of write, and many refusals.
    for (const want of [
      'POST subnets 201',
      'POST networkattachments 201',
      'POST iplocks 201',
      'PUT subnets 200',
      'PUT networkattachments 200',
      'PUT subnets/status 200',
      'PUT networkattachments/status 200',
      'PATCH networkattachments/status 200',
      'PATCH networkattachments 200',
      'DELETE subnets 200',
      'POST subnets 422',
      'POST subnets 400',
      'PUT networkattachments 422',
      'PATCH subnets 422',
      'PATCH subnets/status 200',
    ]) {
      assert.ok((seen.get(want) ?? 0) > 0, `the fuzz never saw ${want}; saw ${JSON.stringify([...seen])}`);
    }

    // Still healthy, and still correct: a full CRUD round trip in a fresh namespace.
    assert.equal((await fetch(`${url}/readyz`)).status, 200);
    await crudRoundTrip(url);

    // Finally read etcd itself: the store must hold only objects the server would accept.
    const client = new Etcd3({ hosts: stack.etcd.clientUrls });
    try {
      const stored = await client.getAll().prefix('/registry/').strings();
      const keys = Object.keys(stored).sort();
      assert.ok(keys.includes(`/registry/${GROUP}/subnets/after/rt`), 'the round trip left its subnet');
      assert.ok(keys.includes(`/registry/${GROUP}/iplocks/after/v1-4242-10-200-0-9`), 'and its IPLock');
      for (const key of keys) {
        for (const p of storedProblems(key, stored[key] ?? '')) problems.push(`${key}: ${p}`);
      }
      assert.deepEqual(problems.slice(0, 10), []);
      // The API lists exactly what etcd holds: no object the cache or the lists lost or invented.
      const listed: string[] = [];
      for (const resource of FUZZ_RESOURCES) {
        const list = await call(url, 'GET', `${GV}/${resource}`);
        for (const o of list.json.items as KosObject[]) {
          listed.push(
            `/registry/${GROUP}/${resource}/${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`,
          );
        }
      }
      assert.deepEqual(listed.sort(), keys);
    } finally {
      client.close();
    }
  });
});

// ---- Fuzz inputs and checks ----

const FUZZ_NS = 'bad';
const FUZZ_NAMES = ['f', 'g', 'h'];
const FUZZ_RESOURCES = ['subnets', 'networkattachments', 'iplocks'] as const;
type FuzzResource = (typeof FUZZ_RESOURCES)[number];

const NA_COLL = `${GV}/namespaces/${FUZZ_NS}/networkattachments`;

/** The original soup of mostly broken requests, now over all three resources. */
const SOUP = {
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  types: [
    'application/json',
    'application/merge-patch+json',
    'application/json-patch+json',
    'application/strategic-merge-patch+json',
    'text/plain',
    '',
  ],
  bodies: [
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
    '{"status":{"validated":"yes"}}',
    '{"spec":{"vni":"7"}}',
  ],
  paths: [
    NA_COLL,
    `${NA_COLL}/f`,
    `${NA_COLL}/f/status`,
    `${GV}/networkattachments?limit=x`,
    `${NA_COLL}?watch=1&resourceVersion=-3`,
    `${NA_COLL}?labelSelector=((`,
    `${GV}/namespaces/bad/subnets`,
    `${GV}/namespaces/bad/subnets/f/status`,
    `${GV}/namespaces/bad/iplocks/f`,
    `${GV}/namespaces/bad/iplocks/f/status`,
    `${GV}/namespaces/bad/subnets?fieldSelector=spec.vni%3Dx`,
    `${GV}/subnets?continue=garbage`,
  ],
};

interface FuzzRequest {
  method: string;
  path: string;
  body: unknown;
  contentType: string;
  /** When set, the codes this request may get: a wrong code is a bug even if it is not a 5xx. */
  allowed: number[] | undefined;
}

/** One random request; reads the current object first when it builds an update from it. */
async function drawRequest(f: Fuzz, url: string): Promise<FuzzRequest> {
  const resource = f.pick(FUZZ_RESOURCES);
  const type = resourceType(resource);
  const collection = `${GV}/namespaces/${FUZZ_NS}/${resource}`;
  const item = `${collection}/${f.pick(FUZZ_NAMES)}`;
  let method: string;
  let path: string;
  let body: unknown;
  let contentType = 'application/json';
  let allowed: number[] | undefined;
  const dice = f.int(100);
  if (dice < 15) {
    method = f.pick(SOUP.methods);
    path = f.pick(SOUP.paths);
    body = f.pick(SOUP.bodies);
    contentType = f.pick(SOUP.types);
  } else if (dice < 38) {
    method = 'POST';
    path = f.chance(0.1) ? `${collection}?dryRun=All` : collection;
    const valid = validBody(f, resource, f.pick(FUZZ_NAMES));
    const kind = f.int(3);
    if (resource === 'subnets' && kind === 0) {
      body = { ...valid, spec: f.pick(INVALID_SUBNET_SPECS) };
      allowed = [400, 422];
    } else if (kind === 1) {
      body = mutatedBody(f, valid);
    } else {
      body = valid;
      allowed = [201, 409];
    }
  } else if (dice < 52) {
    method = 'PUT';
    path = item;
    const current = await call(url, 'GET', item);
    const base = current.status === 200 ? current.json : validBody(f, resource, item.split('/').pop() ?? '');
    const next = structuredClone(base);
    const spec = (next.spec ?? {}) as Record<string, unknown>;
    switch (f.int(5)) {
      case 0:
        next.metadata = { ...(next.metadata as object), labels: { fuzz: `v${f.int(9)}` } };
        break;
      case 1:
        spec[f.pick(Object.keys(spec).concat('postDeleteExec'))] = f.chance(0.5)
          ? randomJson(f)
          : ['echo', `v${f.int(9)}`];
        next.spec = spec;
        break;
      case 2:
        next.status = randomStatus(f, resource);
        next.extendedMetadata = { writes: [{ section: 'spec', serverTime: 'forged' }] };
        break;
      case 3:
        next.metadata = {
          ...(next.metadata as object),
          resourceVersion: f.pick(['1', '', 'x', '99999999']),
        };
        break;
      default:
        body = mutatedBody(f, next);
    }
    body ??= next;
  } else if (dice < 70) {
    path = `${item}/status`;
    const current = await call(url, 'GET', item);
    const base = current.status === 200 ? current.json : validBody(f, resource, 'f');
    switch (f.int(4)) {
      case 0:
        method = 'PUT';
        // A status update ignores spec, whatever it holds.
        body = {
          ...base,
          status: randomStatus(f, resource),
          ...(f.chance(0.3) ? { spec: randomJson(f) } : {}),
        };
        break;
      case 1:
        method = 'PUT';
        body = mutatedBody(f, { ...base, status: randomStatus(f, resource) });
        break;
      case 2:
        method = 'PATCH';
        contentType = 'application/merge-patch+json';
        body = { status: f.chance(0.8) ? randomStatus(f, resource) : randomJson(f) };
        break;
      default:
        method = 'PATCH';
        contentType = 'application/json-patch+json';
        body = randomJsonPatch(f);
    }
    // IPLock has no status subresource (404 to GET, 405 to writes, as for any unknown path here).
    if (!type.hasStatus) allowed = [404, 405];
  } else if (dice < 85) {
    method = 'PATCH';
    path = item;
    if (f.chance(0.5)) {
      contentType = 'application/merge-patch+json';
      body = f.pick([
        () => ({ spec: { postDeleteExec: ['echo', `p${f.int(9)}`] } }),
        () => ({ spec: { [f.pick(['vni', 'ipv4', 'node', 'subnet', 'subnetName'])]: randomJson(f) } }),
        () => ({ metadata: { labels: { fuzz: f.pick(['a', 'b', 'bad value!', null]) } } }),
        () => ({ extendedMetadata: { writes: [{ section: 'spec', serverTime: 'forged' }] } }),
        () => ({ status: randomStatus(f, resource) }),
        () => ({ metadata: { resourceVersion: f.pick(['1', 'x', '']) }, spec: randomJson(f) }),
        () => randomJson(f),
      ])();
    } else {
      contentType = 'application/json-patch+json';
      body = randomJsonPatch(f);
    }
  } else if (dice < 93) {
    method = 'DELETE';
    path = item;
    body = f.pick([
      undefined,
      '',
      { preconditions: { uid: 'not-the-uid' } },
      { preconditions: { resourceVersion: '1' } },
      { propagationPolicy: 'Sideways' },
      randomJson(f),
    ]);
  } else {
    method = 'GET';
    path = `${f.chance(0.5) ? collection : `${GV}/${resource}`}?${f.pick([
      `limit=${f.pick(['1', '0', '-1', 'x', '99999999999'])}`,
      `labelSelector=${encodeURIComponent(f.pick(['fuzz', 'fuzz in (a,b)', '!fuzz', '((', 'a=b=c']))}`,
      `fieldSelector=${encodeURIComponent(f.pick(['spec.vni=42', 'spec.node=comp1', 'status.ipv4=x', 'nope=1']))}`,
      `resourceVersion=${f.pick(['0', '1', 'x', '-1'])}`,
      `continue=${f.pick(['', 'garbage', 'eyJ9'])}`,
    ])}`;
    if (f.chance(0.3)) path = item;
  }
  return { method, path, body, contentType, allowed };
}

function resourceType(resource: string): ResourceType {
  const type = resourceByName(resource);
  if (type === undefined) throw new Error(`no resource ${resource}`);
  return type;
}

/** Seeded, so a failing run replays exactly. */
class Fuzz {
  private readonly random: Random;
  constructor(seed: number) {
    this.random = seededRandom(seed);
  }
  int(n: number): number {
    return randomInt(this.random, n);
  }
  chance(p: number): boolean {
    return this.int(1_000_000) < p * 1_000_000;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)] as T;
  }
}

const WEIRD_STRINGS = [
  '',
  ' ',
  'ünïcødé',
  '😀🚀',
  'עברית',
  'zero\u200bwidth',
  'nul\u0000byte',
  'lone\ud800surrogate',
  'line\nbreak',
  '"quoted"',
  '../../etc/passwd',
  '%00',
  '__proto__',
];

function fuzzString(f: Fuzz): string {
  switch (f.int(5)) {
    case 0:
      return f.pick(WEIRD_STRINGS);
    case 1:
      // Around the 64 KiB body limit: some fit, some get 413.
      return 'x'.repeat(1 + f.int(80_000));
    case 2:
      return f.pick(WEIRD_STRINGS).repeat(1 + f.int(3000));
    default:
      return `s${f.int(1000)}`;
  }
}

const FUZZ_KEYS = [
  'spec',
  'status',
  'metadata',
  'name',
  'labels',
  'vni',
  'ipv4',
  'node',
  'a',
  '',
  '__proto__',
];

function randomJson(f: Fuzz, depth = 0): unknown {
  switch (f.int(depth > 2 ? 7 : 9)) {
    case 0:
      return null;
    case 1:
      return f.chance(0.5);
    case 2:
      return f.pick([0, -1, 1, 1.5, 7, MAX_VNI, MAX_VNI + 1, 2 ** 32, 2 ** 53 + 2, 1e308, -1e-9]);
    case 3:
    case 4:
      return fuzzString(f);
    case 5:
      return [];
    case 6:
      return {};
    case 7:
      return Array.from({ length: 1 + f.int(3) }, () => randomJson(f, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: 1 + f.int(3) }, () => [f.pick(FUZZ_KEYS), randomJson(f, depth + 1)]),
      );
  }
}

function privateCidr(f: Fuzz): string {
  switch (f.int(4)) {
    case 0:
      return `10.${f.int(256)}.${f.int(256)}.0/24`;
    case 1:
      return `172.${16 + f.int(16)}.${f.int(16) * 16}.0/20`;
    case 2:
      return `192.168.${f.int(256)}.0/24`;
    default:
      return f.pick(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '10.1.2.3/32']);
  }
}

function validBody(f: Fuzz, resource: FuzzResource, name: string): Record<string, unknown> {
  const head = {
    apiVersion: API_VERSION,
    kind: resourceType(resource).kind,
    metadata: { name, labels: { fuzz: 'a' } },
  };
  switch (resource) {
    case 'subnets':
      return { ...head, spec: { ipv4: privateCidr(f), vni: MIN_VNI + f.int(MAX_VNI) } };
    case 'networkattachments':
      return {
        ...head,
        spec: {
          node: `comp${f.int(3)}`,
          subnet: f.pick(FUZZ_NAMES),
          ...(f.chance(0.3) ? { postCreateExec: ['echo', 'up'] } : {}),
          ...(f.chance(0.3) ? { postDeleteExec: ['echo', 'down'] } : {}),
        },
      };
    case 'iplocks':
      return { ...head, spec: { subnetName: f.pick(FUZZ_NAMES) } };
  }
}

/** Subnet specs the server must refuse: 400 when they do not decode, 422 when they are wrong. */
const INVALID_SUBNET_SPECS: Record<string, unknown>[] = [
  { ipv4: '10.0.0.0/33', vni: 5 },
  { ipv4: '10.0.0/8', vni: 5 },
  { ipv4: 'not-a-cidr', vni: 5 },
  { ipv4: '', vni: 5 },
  { ipv4: '10.0.0.1', vni: 5 },
  { ipv4: '256.0.0.0/8', vni: 5 },
  { ipv4: '8.8.8.0/24', vni: 5 },
  { ipv4: '11.0.0.0/8', vni: 5 },
  { ipv4: '172.32.0.0/16', vni: 5 },
  { ipv4: '192.169.0.0/16', vni: 5 },
  { ipv4: '10.0.0.0/7', vni: 5 },
  { ipv4: '0.0.0.0/0', vni: 5 },
  { ipv4: '10.0.0.0/24', vni: 0 },
  { ipv4: '10.0.0.0/24', vni: MAX_VNI + 1 },
  { ipv4: '10.0.0.0/24', vni: -1 },
  { ipv4: '10.0.0.0/24', vni: 1.5 },
  { ipv4: '10.0.0.0/24', vni: 2 ** 32 },
  { ipv4: '10.0.0.0/24', vni: '7' },
  { ipv4: 10, vni: 7 },
  { ipv4: '10.0.0.0/24' },
  { vni: 7 },
  {},
];

/** Status fields of each kind, with a generator of plausible (mostly valid) values. */
const STATUS_FIELDS: Record<FuzzResource, [string, (f: Fuzz) => unknown][]> = {
  networkattachments: [
    ['lockUID', (f) => `lock-${f.int(9)}`],
    ['addressVNI', (f) => f.pick([0, 1, 42, MAX_VNI, 2 ** 32 - 1, 2 ** 32, -1])],
    ['ipv4', (f) => `10.0.0.${f.int(256)}`],
    ['addressContention', (f) => f.chance(0.5)],
    ['subnetCreationTime', (f) => f.pick([null, '2026-01-01T00:00:00Z', 'yesterday'])],
    ['errors', (f) => ({ ipam: f.chance(0.5) ? [`e${f.int(3)}`] : [], host: f.chance(0.5) ? ['h'] : null })],
    ['macAddress', (f) => f.pick(['aa:bb:cc:dd:ee:ff', '', 'nope'])],
    ['ifcName', (f) => `kos${f.int(99)}`],
    ['hostIP', (f) => `192.168.0.${f.int(256)}`],
    [
      'postCreateExecReport',
      (f) => ({
        command: ['echo', 'up'],
        // 0 is the common case and the one omitempty drops.
        exitStatus: f.pick([0, 0, 1, -1, 2.5]),
        stdOut: f.chance(0.2) ? fuzzString(f) : '',
        stdErr: '',
        ...(f.chance(0.5) ? { startTime: '2026-01-01T00:00:00Z' } : {}),
      }),
    ],
  ],
  subnets: [
    ['validated', (f) => f.chance(0.5)],
    ['errors', (f) => (f.chance(0.5) ? [`e${f.int(3)}`] : [])],
  ],
  iplocks: [['validated', (f) => f.chance(0.5)]],
};

function randomStatus(f: Fuzz, resource: FuzzResource): Record<string, unknown> {
  const status: Record<string, unknown> = {};
  for (const [field, make] of STATUS_FIELDS[resource]) {
    if (f.chance(0.5)) status[field] = f.chance(0.9) ? make(f) : randomJson(f);
  }
  // Now and then a field of another kind, which decoding drops.
  if (f.chance(0.1)) status.hostIP = 'stray';
  return status;
}

const PATCH_PATHS = [
  '/spec',
  '/spec/vni',
  '/spec/ipv4',
  '/spec/node',
  '/spec/postDeleteExec',
  '/spec/postCreateExec',
  '/status',
  '/status/ipv4',
  '/status/validated',
  '/status/postCreateExecReport',
  '/metadata/labels',
  '/metadata/labels/fuzz',
  '/metadata/name',
  '/metadata/uid',
  '/metadata/resourceVersion',
  '/extendedMetadata/writes',
  '/extendedMetadata/writes/0',
  '/nope/deeper',
  '',
  '/-',
];

function randomJsonPatch(f: Fuzz): unknown[] {
  return Array.from({ length: 1 + f.int(3) }, () => ({
    op: f.pick(['add', 'replace', 'remove', 'test', 'move', 'copy', 'bogus']),
    path: f.pick(PATCH_PATHS),
    from: f.pick(PATCH_PATHS),
    value: f.chance(0.5) ? randomStatus(f, 'networkattachments') : randomJson(f),
  }));
}

const MARK = '\u0001MARK\u0001';

/** A valid body with one random change: a field dropped, duplicated, retyped, made huge, odd or deep. */
function mutatedBody(f: Fuzz, body: Record<string, unknown>): string {
  const copy = structuredClone(body);
  const slots: [Record<string, unknown>, string][] = [];
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      slots.push([record, key]);
      walk(record[key]);
    }
  };
  walk(copy);
  const [parent, key] = f.pick(slots);
  const original = parent[key];
  let replacement: string;
  switch (f.int(6)) {
    case 0:
      Reflect.deleteProperty(parent, key);
      return JSON.stringify(copy);
    case 1:
      parent[key] = randomJson(f);
      return JSON.stringify(copy);
    case 2:
      parent[key] = fuzzString(f);
      return JSON.stringify(copy);
    case 3:
      // JSON.parse keeps the last of duplicate keys; put the odd value first or last.
      replacement = f.chance(0.5)
        ? `${JSON.stringify(randomJson(f))},${JSON.stringify(key)}:${JSON.stringify(original)}`
        : `${JSON.stringify(original)},${JSON.stringify(key)}:${JSON.stringify(randomJson(f))}`;
      if (Array.isArray(parent)) replacement = JSON.stringify(randomJson(f));
      break;
    case 4: {
      const depth = f.pick([10, 100, 505, 1000, 5000, 10_000]);
      replacement = '{"a":'.repeat(depth) + '0' + '}'.repeat(depth);
      break;
    }
    default: {
      const depth = f.pick([10, 100, 508, 1000, 10_000, 30_000]);
      replacement = '['.repeat(depth) + ']'.repeat(depth);
    }
  }
  parent[key] = MARK;
  return JSON.stringify(copy).replace(JSON.stringify(MARK), replacement);
}

const UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

/** Everything wrong with an object the server stored (`stored`) or returned; empty when it is valid. */
function objectProblems(type: ResourceType, raw: unknown, stored: boolean): string[] {
  const problems: string[] = [];
  const parsed = type.schema.safeParse(raw);
  if (!parsed.success) return [`does not decode: ${describeDecodeError(parsed.error)}`];
  const obj = raw as KosObject;
  // The schema defaults a missing metadata; a stored object must really carry one.
  if (typeof obj.metadata !== 'object') return ['no metadata'];
  if (obj.apiVersion !== API_VERSION || obj.kind !== type.kind)
    problems.push(`type ${obj.apiVersion}/${obj.kind}`);
  for (const e of [...metadataErrors(obj), ...type.validate(obj)]) problems.push(`${e.field}: ${e.message}`);
  const meta = obj.metadata;
  if (!UID.test(meta.uid ?? '')) problems.push(`uid ${String(meta.uid)}`);
  if (!TIME.test(meta.creationTimestamp ?? ''))
    problems.push(`creationTimestamp ${String(meta.creationTimestamp)}`);
  if (!Number.isInteger(meta.generation) || (meta.generation ?? 0) < 1)
    problems.push(`generation ${String(meta.generation)}`);
  if (stored && meta.resourceVersion !== undefined) problems.push('resourceVersion is stored in the value');
  const writes = obj.extendedMetadata?.writes ?? [];
  const sections = writes.map((w) => w.section);
  const known = ['spec', ...type.statusSections.map((s) => s.name)];
  if (!sections.includes('spec')) problems.push(`no spec write in ${JSON.stringify(writes)}`);
  if (new Set(sections).size !== sections.length)
    problems.push(`a section twice in ${JSON.stringify(sections)}`);
  for (const w of writes) {
    if (!known.includes(w.section)) problems.push(`unknown write section ${w.section}`);
    if (!MICRO_TIME.test(w.serverTime)) problems.push(`serverTime ${w.serverTime}`);
  }
  if (type.kind === 'Subnet') {
    const ipv4 = String(obj.spec?.ipv4);
    const cidr = parseCidr(ipv4);
    if (cidr === undefined || !isRfc1918(cidr.base, cidr.last)) problems.push(`CIDR ${ipv4}`);
    const vni = obj.spec?.vni;
    if (typeof vni !== 'number' || !Number.isInteger(vni) || vni < MIN_VNI || vni > MAX_VNI)
      problems.push(`VNI ${String(vni)}`);
  }
  if (!type.hasStatus && obj.status !== undefined) problems.push('a status on a type without one');
  return problems;
}

/** The problems of one etcd key and value: a parseable, valid object stored under its own name. */
function storedProblems(key: string, value: string): string[] {
  const m = /^\/registry\/network\.example\.com\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(key);
  const type = resourceByName(m?.[1] ?? '');
  if (m === null || type === undefined) return ['not a KOS object key'];
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch (e: unknown) {
    return [`not JSON: ${String(e)}`];
  }
  const problems = objectProblems(type, raw, true);
  if (problems.length > 0) return problems;
  const meta = (raw as KosObject).metadata;
  if (meta.namespace !== m[2] || meta.name !== m[3]) {
    problems.push(`stored as ${String(meta.namespace)}/${String(meta.name)}`);
  }
  return problems;
}

/** Create, read, update, status update, refused immutable change, delete: the server still works. */
async function crudRoundTrip(url: string): Promise<void> {
  const ns = `${GV}/namespaces/after`;
  const subnet = {
    apiVersion: API_VERSION,
    kind: 'Subnet',
    metadata: { name: 'rt' },
    spec: { ipv4: '10.200.0.0/16', vni: 4242 },
  };
  const created = await call(url, 'POST', `${ns}/subnets`, subnet);
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const got = await call(url, 'GET', `${ns}/subnets/rt`);
  assert.equal(got.status, 200);
  assert.deepEqual(got.json, created.json);
  const gotMeta = got.json.metadata as Record<string, unknown>;
  const updated = await call(url, 'PUT', `${ns}/subnets/rt`, {
    ...got.json,
    metadata: { ...gotMeta, labels: { round: 'trip' } },
  });
  assert.equal(updated.status, 200, JSON.stringify(updated.json));
  const updatedMeta = updated.json.metadata as Record<string, unknown>;
  assert.deepEqual(updatedMeta.labels, { round: 'trip' });
  assert.ok(
    Number(updatedMeta.resourceVersion) > Number(gotMeta.resourceVersion),
    'an update moves the version',
  );
  const status = await call(url, 'PUT', `${ns}/subnets/rt/status`, {
    ...updated.json,
    status: { validated: true },
  });
  assert.equal(status.status, 200, JSON.stringify(status.json));
  assert.deepEqual(status.json.status, { validated: true });
  assert.equal((status.json as unknown as KosObject).extendedMetadata?.writes?.[0]?.section, 'status');
  const immutable = await call(url, 'PUT', `${ns}/subnets/rt`, {
    ...status.json,
    spec: { ipv4: '10.201.0.0/16', vni: 4242 },
  });
  assert.equal(immutable.status, 422);

  const na = attachment('rt', 'comp0');
  assert.equal((await call(url, 'POST', `${ns}/networkattachments`, na)).status, 201);
  // A successful exec report (exit 0) is stored and must survive a read-modify-write of status.
  const report = { command: ['echo', 'up'], exitStatus: 0, stdOut: 'ok', stdErr: '' };
  const reported = await call(
    url,
    'PATCH',
    `${ns}/networkattachments/rt/status`,
    { status: { postCreateExecReport: report } },
    'application/merge-patch+json',
  );
  assert.equal(reported.status, 200, JSON.stringify(reported.json));
  const again = await call(url, 'PUT', `${ns}/networkattachments/rt/status`, {
    ...reported.json,
    status: { ...(reported.json.status as object), ipv4: '10.200.0.2' },
  });
  assert.equal(again.status, 200, JSON.stringify(again.json));
  assert.equal((await call(url, 'DELETE', `${ns}/networkattachments/rt`)).status, 200);
  assert.equal((await call(url, 'GET', `${ns}/networkattachments/rt`)).status, 404);

  const lock = {
    apiVersion: API_VERSION,
    kind: 'IPLock',
    metadata: { name: 'v1-4242-10-200-0-9' },
    spec: { subnetName: 'rt' },
  };
  assert.equal((await call(url, 'POST', `${ns}/iplocks`, lock)).status, 201);
}
