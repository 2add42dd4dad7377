import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shockShortfall } from '../../../../src/driver/plan/address-room.js';
import { planDrive, type PlanInput } from '../../../../src/driver/plan/drive-plan.js';
import { basePlanInput } from '../../../fixtures/plan-input.js';

const base: PlanInput = {
  ...basePlanInput,
  baseAddress: '10.0.0.0',
  numAttachments: 100,
  rate: 100,
  createOnly: true,
  seed: 7,
};

function shortfall(input: Partial<PlanInput>) {
  const plan = planDrive({ ...base, ...input });
  return { plan, ...shockShortfall(plan, plan.seq.createSlot.length) };
}

describe('whether a shock test fits its subnets', () => {
  it('a shock test of at most one create per slot always fits', () => {
    const { plan, unaddressable } = shortfall({ numAttachments: 100 });
    assert.ok(plan.population >= 100);
    assert.equal(unaddressable, 0);
  });

  const cases = [
    { numAttachments: 2000, subnetSizeFactor: 1 },
    { numAttachments: 5000, subnetSizeFactor: 2 },
    { numAttachments: 1200, subnetSizeFactor: 1, singleNetwork: true },
  ];
  for (const c of cases) {
    it(`${c.numAttachments} creates at factor ${c.subnetSizeFactor}${c.singleNetwork === true ? ', one subnet per VN' : ''}: short, and the factor it names is enough`, () => {
      const short = shortfall(c);
      assert.ok(short.unaddressable > 0, 'more creates than addresses');
      // Addresses the subnets hold at the named factor (network and broadcast excluded) cover each.
      assert.equal(shortfall({ ...c, subnetSizeFactor: short.factorNeeded }).unaddressable, 0);
    });
  }

  it('counts exactly the creates beyond each subnet: one /30 subnet (2 usable addresses), 10 creates', () => {
    const { unaddressable, factorNeeded, plan } = shortfall({
      numNets: 1,
      topNetSize: 1,
      numAttachments: 10,
    });
    assert.equal(plan.subnets.length, 1);
    // 1 slot x factor 1 + 1 spare + 2 = 4 -> a /30 block with 2 usable addresses.
    assert.equal(plan.subnets[0]?.cidr.endsWith('/30'), true);
    assert.equal(unaddressable, 8);
    assert.equal(factorNeeded, 9);
  });
});
