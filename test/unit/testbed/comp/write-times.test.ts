import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NetworkAttachment } from '../../../../src/api/kos-types.js';
import {
  attachmentClientWrite,
  relevanceClientWrite,
  remoteClientWrite,
  sectionWriteMicros,
} from '../../../../src/testbed/comp/write-times.js';

const T = Date.UTC(2026, 0, 2, 3, 4, 5) * 1000; // epoch micros of 2026-01-02T03:04:05Z

function att(writes: Record<string, string>, subnetCreationTime?: string): NetworkAttachment {
  return {
    apiVersion: 'network.example.com/v1alpha1',
    kind: 'NetworkAttachment',
    metadata: { name: 'a', namespace: 'ns' },
    extendedMetadata: {
      writes: Object.entries(writes).map(([section, serverTime]) => ({ section, serverTime })),
    },
    spec: { node: 'comp1', subnet: 's1' },
    status: subnetCreationTime === undefined ? {} : { subnetCreationTime },
  };
}

describe('sectionWriteMicros', () => {
  const a = att({ spec: '2026-01-02T03:04:05.000100Z', 'status.impl': '2026-01-02T03:04:05.250000Z' });
  const cases: { section: string; want: number | undefined }[] = [
    { section: 'spec', want: T + 100 },
    { section: 'status.impl', want: T + 250_000 },
    { section: 'status.address', want: undefined },
  ];
  for (const c of cases) {
    it(`${c.section} → ${String(c.want)}`, () => {
      assert.equal(sectionWriteMicros(a, c.section), c.want);
    });
  }
});

describe('sectionWriteMicros, parsed once per stamp', () => {
  it('gives the same answers when asked again, also past the cache, and for a bad stamp', () => {
    const stamps = Array.from({ length: 10_000 }, (_, i) => T + i);
    const text = (micros: number): string =>
      `${new Date(Math.floor(micros / 1000)).toISOString().slice(0, 19)}.${String(micros % 1_000_000).padStart(6, '0')}Z`;
    for (let round = 0; round < 2; round++) {
      for (const micros of stamps)
        assert.equal(sectionWriteMicros(att({ spec: text(micros) }), 'spec'), micros);
      assert.equal(sectionWriteMicros(att({ spec: 'not a time' }), 'spec'), undefined);
    }
  });
});

describe('last client write', () => {
  const spec = '2026-01-02T03:04:05.500000Z';
  const cases: {
    why: string;
    a: NetworkAttachment;
    own: { label: string; micros: number | undefined };
    firstLocal: { label: string; micros: number | undefined };
  }[] = [
    {
      why: 'the spec stamp, when the subnet is older',
      a: att({ spec, 'status.address': '2026-01-02T03:04:09.000000Z' }, '2026-01-02T03:04:05Z'),
      own: { label: 'na', micros: T + 500_000 },
      firstLocal: { label: '1st_local_na', micros: T + 500_000 },
    },
    {
      why: 'the subnet creation, when it is newer',
      a: att({ spec }, '2026-01-02T03:04:06Z'),
      own: { label: 'subnet', micros: T + 1_000_000 },
      firstLocal: { label: '1st_local_na_subnet', micros: T + 1_000_000 },
    },
    {
      why: 'server stamps never count',
      a: att({
        spec,
        'status.address': '2026-01-02T03:04:07.000000Z',
        'status.impl': '2026-01-02T03:04:08.000000Z',
      }),
      own: { label: 'na', micros: T + 500_000 },
      firstLocal: { label: '1st_local_na', micros: T + 500_000 },
    },
    {
      why: 'no stamps at all',
      a: att({}),
      own: { label: 'na', micros: undefined },
      firstLocal: { label: '1st_local_na', micros: undefined },
    },
  ];
  for (const c of cases) {
    it(c.why, () => {
      assert.deepEqual(attachmentClientWrite(c.a), c.own);
      assert.deepEqual(relevanceClientWrite(c.a), c.firstLocal);
    });
  }

  it("counts a remote attachment's VN relevance when that came later", () => {
    const remote = att({ spec });
    const early = { label: '1st_local_na' as const, micros: T };
    const late = { label: '1st_local_na_subnet' as const, micros: T + 2_000_000 };
    assert.deepEqual(remoteClientWrite(remote, early), { label: 'na', micros: T + 500_000 });
    assert.deepEqual(remoteClientWrite(remote, late), late);
    assert.deepEqual(remoteClientWrite(att({}), early), early);
  });
});
