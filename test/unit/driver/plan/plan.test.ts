import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCidr } from '../../../../src/api/ipv4-cidr.js';
import { avgPeers, vnSizes } from '../../../../src/driver/population.js';
import {
  attachmentIndexOf,
  attachmentName,
  attachmentVni,
  createOpOf,
  firstVniOfSeed,
  freshSeed,
  planDrive,
  seedAvoidingVnis,
} from '../../../../src/driver/plan/drive-plan.js';
import { blockFirstVni, blockSize, planNetworks } from '../../../../src/driver/plan/networks.js';
import {
  OP_CREATE,
  OP_DELETE,
  PHASE_COOLDOWN,
  PHASE_CRUISE,
  PHASE_WARMUP,
  planOps,
} from '../../../../src/driver/plan/op-plan.js';
import { seededRandom } from '../../../../src/util/prng.js';
import { checkRunId, generateRunId, runIdProblem } from '../../../../src/driver/plan/run-id.js';
import { opDueTimes } from '../../../../src/driver/plan/schedule.js';
import { parseShard, sliceShard } from '../../../../src/driver/plan/shard.js';
import { outlineCsv, sizeCsv } from '../../../../src/driver/plan/size-csv.js';
import { KosTestError } from '../../../../src/util/errors.js';
import { basePlanInput as base } from '../../../fixtures/plan-input.js';

describe('VN sizes and avgPeers follow the generalized power law', () => {
  const cases = [
    {
      shape: { numNets: 10, topNetSize: 100, exponent: 1, bias: 0 },
      sizes: [100, 50, 34, 25, 20, 17, 15, 13, 12, 10],
      peers: 15608 / 296,
    },
    { shape: { numNets: 3, topNetSize: 10, exponent: 0, bias: 0 }, sizes: [10, 10, 10], peers: 10 },
    { shape: { numNets: 4, topNetSize: 8, exponent: 2, bias: 1 }, sizes: [4, 2, 1, 1], peers: 22 / 8 },
    { shape: { numNets: 1, topNetSize: 1, exponent: 1, bias: 0 }, sizes: [1], peers: 1 },
    { shape: { numNets: 3, topNetSize: 6, exponent: 1, bias: -0.5 }, sizes: [6, 2, 2], peers: 44 / 10 },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.shape)} -> ${c.sizes.join(',')}`, () => {
      const sizes = vnSizes(c.shape);
      assert.deepEqual(sizes, c.sizes);
      assert.ok(Math.abs(avgPeers(sizes) - c.peers) < 1e-12, `avgPeers ${avgPeers(sizes)} want ${c.peers}`);
    });
  }
});

describe('size and outline CSVs', () => {
  it('the size CSV has one row per VN', () => {
    assert.equal(sizeCsv([3, 2, 2]), 'i,size\n1,3\n2,2\n3,2\n');
  });
  const cases = [
    { sizes: [4, 2, 1, 1, 1, 1], want: 'i,size\n1,4\n2,2\n3,1\n6,1\n' },
    { sizes: [5, 5, 5], want: 'i,size\n1,5\n3,5\n' },
    { sizes: [7], want: 'i,size\n1,7\n' },
    { sizes: [3, 2, 1], want: 'i,size\n1,3\n2,2\n3,1\n' },
  ];
  for (const c of cases) {
    it(`the outline of ${c.sizes.join(',')} drops interior rows of equal runs`, () => {
      assert.equal(outlineCsv(c.sizes), c.want);
    });
  }
});

describe('networks: VNIs, subnets and CIDR blocks', () => {
  it('VNIs are consecutive from a multiple of 65536 plus 1, below 2^21', () => {
    for (let seed = 0; seed < 20; seed++) {
      const plan = planDrive({ ...base, seed });
      assert.equal(plan.firstVni % 65536, 1);
      assert.ok(plan.firstVni < 2 ** 21);
      plan.networks.forEach((n, k) => {
        assert.equal(n.vni, plan.firstVni + k);
      });
    }
  });
  const cases = [
    { sizes: [5, 1, 2], single: false, counts: [2, 1, 2] },
    { sizes: [5, 1, 2], single: true, counts: [1, 1, 1] },
    { sizes: [1, 1], single: false, counts: [1, 1] },
  ];
  for (const c of cases) {
    it(`sizes ${c.sizes.join(',')}${c.single ? ' with singleNetwork' : ''} -> subnets ${c.counts.join(',')}`, () => {
      const { networks, subnets } = planNetworks(
        { sizes: c.sizes, singleNetwork: c.single, baseAddress: '10.0.0.0', subnetSizeFactor: 1 },
        65537,
      );
      assert.deepEqual(
        networks.map((n) => n.subnets.length),
        c.counts,
      );
      networks.forEach((n, k) => {
        assert.equal(
          n.subnets.reduce((s, i) => s + (subnets[i]?.slots ?? 0), 0),
          c.sizes[k],
        );
      });
    });
  }
  it('CIDR blocks are aligned, disjoint and hold each subnet’s slots times the factor plus spares', () => {
    for (const factor of [1, 1.5, 3]) {
      const { subnets } = planNetworks(
        {
          sizes: vnSizes({ numNets: 40, topNetSize: 300, exponent: 1, bias: 0 }),
          singleNetwork: false,
          baseAddress: '172.24.0.0',
          subnetSizeFactor: factor,
        },
        1,
      );
      const blocks = subnets.map((s) => ({ s, c: parseCidr(s.cidr) }));
      for (const { s, c } of blocks) {
        assert.ok(c !== undefined, s.cidr);
        const size = c.last - c.base + 1;
        assert.equal(c.base % size, 0, `${s.cidr} not aligned`);
        assert.ok(size - 3 >= Math.ceil(s.slots * factor), `${s.cidr} too small for ${s.slots} x ${factor}`);
        assert.ok(c.base >= 0xac180000, `${s.cidr} below the base address`);
      }
      const sorted = blocks.flatMap((b) => (b.c === undefined ? [] : [b.c])).sort((a, b) => a.base - b.base);
      for (let i = 1; i < sorted.length; i++)
        assert.ok((sorted[i]?.base ?? 0) > (sorted[i - 1]?.last ?? 0), 'overlapping blocks');
    }
  });
  const blockCases = [
    { slots: 1, factor: 1, want: 4 },
    { slots: 2, factor: 1, want: 8 },
    { slots: 5, factor: 1, want: 8 },
    { slots: 6, factor: 1, want: 16 },
    { slots: 50, factor: 1, want: 64 },
    { slots: 50, factor: 2, want: 128 },
  ];
  for (const c of blockCases) {
    it(`${c.slots} slots x ${c.factor} -> a block of ${c.want}`, () => {
      assert.equal(blockSize(c.slots, c.factor), c.want);
    });
  }
  it('subnets that do not fit in the RFC 1918 range give one clear error', () => {
    assert.throws(
      () =>
        planNetworks(
          { sizes: [100_000, 100_000], singleNetwork: true, baseAddress: '172.30.0.0', subnetSizeFactor: 1 },
          1,
        ),
      (e: unknown) => e instanceof KosTestError && /base-address/.test(e.message),
    );
  });
});

describe('op schedules', () => {
  const steady = [
    { rate: 10, gap: 100 },
    { rate: 1000, gap: 1 },
    { rate: 3, gap: 1000 / 3 },
  ];
  for (const c of steady) {
    it(`steady at ${c.rate}/s: op k is due at exactly k x ${c.gap.toFixed(3)} ms`, () => {
      const due = opDueTimes(1000, c.rate, 'steady', seededRandom(1));
      for (let k = 0; k < due.length; k++) assert.equal(due[k], k * c.gap);
    });
  }
  for (const rate of [10, 500]) {
    it(`poisson at ${rate}/s: gaps have the mean 1000/rate and a coefficient of variation of 1 (within 3%)`, () => {
      const n = 40_000;
      const due = opDueTimes(n, rate, 'poisson', seededRandom(rate));
      const gaps = Array.from({ length: n - 1 }, (_, k) => (due[k + 1] ?? 0) - (due[k] ?? 0));
      const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
      const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
      assert.equal(due[0], 0);
      assert.ok(Math.abs(mean / (1000 / rate) - 1) < 0.03, `mean gap ${mean}`);
      assert.ok(Math.abs(sd / mean - 1) < 0.03, `CV ${sd / mean}`);
      assert.ok(Math.max(...gaps) <= 1000 * (1000 / rate));
    });
  }
  it('the same seed gives the same plan; another seed another shuffle', () => {
    const a = planDrive({ ...base, opsDistribution: 'poisson' });
    const b = planDrive({ ...base, opsDistribution: 'poisson' });
    const c = planDrive({ ...base, seed: 43, opsDistribution: 'poisson' });
    assert.deepEqual(a.due, b.due);
    assert.deepEqual(a.seq.attachment, b.seq.attachment);
    assert.notDeepEqual(a.seq.slotOrder, c.seq.slotOrder);
  });
});

describe('dealing slots into warm-up, cruise and cool-down', () => {
  const cases = [
    { slots: 10, n: 25, phases: [10, 30, 10] },
    { slots: 10, n: 10, phases: [10, 0, 10] },
    { slots: 10, n: 4, phases: [4, 0, 4] },
    { slots: 1, n: 5, phases: [1, 8, 1] },
    { slots: 296, n: 450, phases: [296, 308, 296] },
  ];
  for (const c of cases) {
    it(`${c.slots} slots, ${c.n} creates: ops per phase ${c.phases.join('/')}, each attachment created once then deleted once, never more than one per slot`, () => {
      const seq = planOps({
        slots: c.slots,
        numAttachments: c.n,
        createOnly: false,
        random: seededRandom(7),
      });
      const [w, cr, cd, end] = seq.phaseStart;
      assert.deepEqual([cr - w, cd - cr, end - cd], c.phases);
      const state = new Int8Array(c.n);
      const live = new Int32Array(c.slots).fill(-1);
      for (let k = 0; k < seq.kind.length; k++) {
        const a = seq.attachment[k] ?? -1;
        const slot = seq.createSlot[a] ?? -1;
        const phase = seq.phase[k];
        if (seq.kind[k] === OP_CREATE) {
          assert.equal(state[a], 0);
          assert.equal(live[slot], -1, 'slot already occupied');
          assert.notEqual(phase, PHASE_COOLDOWN);
          state[a] = 1;
          live[slot] = a;
        } else {
          assert.equal(seq.kind[k], OP_DELETE);
          assert.equal(state[a], 1, `attachment ${a} deleted before created`);
          assert.notEqual(phase, PHASE_WARMUP);
          state[a] = 2;
          live[slot] = -1;
        }
        // In cruise a delete is at once followed by the create in the same slot.
        if (phase === PHASE_CRUISE && seq.kind[k] === OP_DELETE) {
          assert.equal(seq.createSlot[seq.attachment[k + 1] ?? -1], slot);
        }
        if (k === cd - 1 || (k === cr - 1 && cd === cr)) {
          assert.equal(
            [...live].filter((x) => x >= 0).length,
            Math.min(c.slots, c.n),
            'population at nominal size',
          );
        }
      }
      assert.ok(state.every((s) => s === 2));
    });
  }
  for (const c of [
    { n: 450, createOnly: false },
    { n: 100, createOnly: false },
    { n: 40, createOnly: true },
  ]) {
    it(`createOpOf finds the create of every attachment (${c.n} creates${c.createOnly ? ', shock test' : ''})`, () => {
      const plan = planDrive({ ...base, numAttachments: c.n, createOnly: c.createOnly });
      let creates = 0;
      for (let k = 0; k < plan.seq.kind.length; k++) {
        if (plan.seq.kind[k] !== OP_CREATE) continue;
        creates++;
        assert.equal(createOpOf(plan, plan.seq.attachment[k] ?? -1), k);
      }
      assert.equal(creates, c.n);
    });
  }
  it('the shock test (createOnly) plans creates only', () => {
    const seq = planOps({ slots: 5, numAttachments: 12, createOnly: true, random: seededRandom(3) });
    assert.equal(seq.kind.length, 12);
    assert.ok(seq.kind.every((k) => k === OP_CREATE));
    assert.deepEqual(seq.phaseStart, [0, 12, 12, 12]);
  });
});

describe('phase boundaries', () => {
  const cases = [
    { input: { ...base }, want: [0, 29_600, 60_400, 90_000] },
    { input: { ...base, rate: 100 }, want: [0, 2960, 6040, 9000] },
    { input: { ...base, numAttachments: 200 }, want: [0, 20_000, 20_000, 40_000] },
  ];
  for (const c of cases) {
    it(`${c.input.numAttachments} creates at ${c.input.rate}/s over 296 slots: ${c.want.join(' / ')} ms`, () => {
      const plan = planDrive(c.input);
      plan.boundaries.forEach((b, i) => {
        assert.ok(Math.abs(b - (c.want[i] ?? Number.NaN)) < 1e-6, `boundary ${i}: ${b}`);
      });
    });
  }
  it('the cruise window at a steady rate holds exactly rate x length ops', () => {
    const plan = planDrive({ ...base, rate: 37, numAttachments: 2000 });
    const ops = plan.seq.phaseStart[2] - plan.seq.phaseStart[1];
    assert.ok(Math.abs(((plan.boundaries[2] - plan.boundaries[1]) * 37) / 1000 - ops) < 1e-6);
  });
});

describe('shards', () => {
  for (const count of [1, 2, 3, 7]) {
    it(`${count} shard(s) partition the ops and the attachments, each at about 1/${count} of the rate`, () => {
      const plan = planDrive({ ...base, numAttachments: 1000 });
      const seen = new Uint8Array(plan.seq.kind.length);
      const created = new Uint8Array(1000);
      for (let i = 0; i < count; i++) {
        const mine = sliceShard(plan.seq, { index: i, count });
        for (const k of mine.ops) seen[k] = (seen[k] ?? 0) + 1;
        for (const a of mine.attachments) created[a] = (created[a] ?? 0) + 1;
        for (const k of mine.ops) assert.ok(mine.attachments.includes(plan.seq.attachment[k] ?? -1));
        const share = mine.ops.length / plan.seq.kind.length;
        assert.ok(Math.abs(share - 1 / count) < 0.02, `shard ${i} has ${share} of the ops`);
      }
      assert.ok(seen.every((n) => n === 1));
      assert.ok(created.every((n) => n === 1));
    });
  }
  const parse = [
    { text: '0/1', want: { index: 0, count: 1 } },
    { text: '2/3', want: { index: 2, count: 3 } },
    { text: '3/3', want: undefined },
    { text: '1/0', want: undefined },
    { text: '-1/2', want: undefined },
    { text: '1', want: undefined },
  ];
  for (const c of parse)
    it(`--shard ${c.text} -> ${JSON.stringify(c.want)}`, () => {
      assert.deepEqual(parseShard(c.text), c.want);
    });
});

describe('names and run ids', () => {
  it('attachments are named <vni as 6 hex>-<create counter> and parse back', () => {
    const plan = planDrive(base);
    for (const a of [0, 1, 295, 449]) {
      const name = attachmentName(plan, a);
      assert.match(name, /^[0-9a-f]{6}-\d+$/);
      assert.equal(parseInt(name.slice(0, 6), 16), attachmentVni(plan, a));
      assert.equal(attachmentIndexOf(name), a);
    }
    assert.equal(attachmentIndexOf('clock-probe-1'), -1);
  });
  it('a generated run id is MMDD-HHMM-rrrr in UTC', () => {
    const id = generateRunId(Date.UTC(2026, 11, 1, 9, 5), seededRandom(1));
    assert.match(id, /^1201-0905-[a-z0-9]{4}$/);
    assert.equal(runIdProblem(id), undefined);
  });
  for (const bad of ['Run1', '-x', 'x-', 'a_b', '', 'x'.repeat(64)]) {
    it(`run id ${JSON.stringify(bad)} is refused with one line naming it`, () => {
      assert.throws(
        () => checkRunId(bad),
        (e: unknown) => e instanceof KosTestError && e.message.includes('--runid'),
      );
    });
  }
});

describe('fresh seeds', () => {
  it('firstVniOfSeed is the first VNI the plan of that seed uses', () => {
    for (const seed of [0, 1, 7, 12345, 0xfffffff0]) {
      assert.equal(firstVniOfSeed(seed), planDrive({ ...base, seed }).firstVni, `seed ${seed}`);
    }
  });

  it('hands out seeds with distinct first VNIs until all 32 are used, then starts over', () => {
    const used = new Set<number>();
    const vnis = Array.from({ length: 32 }, (_, k) => firstVniOfSeed(freshSeed(k * 1000, used)));
    assert.equal(new Set(vnis).size, 32);
    const again = freshSeed(0, used);
    assert.equal(again, 0, 'with every VNI used, the set starts over at the first seed asked');
    assert.deepEqual([...used], [firstVniOfSeed(0)]);
  });

  it('blockFirstVni names the block of 65536 VNIs a first VNI would cover', () => {
    assert.deepEqual([0, 1, 2, 65536, 65537, 65537 + 1000, 2 ** 21 - 1].map(blockFirstVni), [
      1,
      1,
      1,
      1,
      65537,
      65537,
      2 ** 21 - 65535,
    ]);
  });

  it('an unseeded run avoids every block of VNIs a subnet on the target uses, while one is free', () => {
    const blocks = Array.from({ length: 32 }, (_, b) => b * 65536 + 1);
    for (const free of [1, 17 * 65536 + 1, 31 * 65536 + 1]) {
      // Live subnets anywhere in each other block: a run starting there would meet one.
      const live = blocks.filter((b) => b !== free).map((b, i) => b + ((i * 37) % 65536));
      const seed = seedAvoidingVnis(5000, live);
      assert.equal(firstVniOfSeed(seed), free, `free block ${free}`);
      assert.ok(seed >= 5000);
    }
    assert.equal(seedAvoidingVnis(5000, []), 5000, 'nothing live: the seed as drawn');
    assert.equal(seedAvoidingVnis(5000, blocks), 5000, 'every block used: the seed as drawn');
  });
});
