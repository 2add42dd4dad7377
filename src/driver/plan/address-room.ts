/**
 * Whether a shock test (creates only, nothing deleted) fits its subnets. Subnets are sized for a
 * slot's one live attachment plus a spare (networks.ts), which a normal run never exceeds; a
 * shock test with more creates than slots puts several live attachments in each slot, and the
 * ones beyond a subnet's addresses end broken ("no address"), which looks like a KOS failure
 * unless the driver says so up front. Pure: the plan in, the shortfall out.
 */
import type { DrivePlan } from './drive-plan.js';

export interface AddressShortfall {
  /** Creates that find no free address in their subnet. */
  unaddressable: number;
  /** A --subnet-size-factor that gives every create an address (power-of-two rounding may make less do). */
  factorNeeded: number;
}

/** Usable addresses of a block: all but the network and broadcast addresses. */
function usable(cidr: string): number {
  const prefix = Number(cidr.split('/')[1] ?? '32');
  return Math.max(0, 2 ** (32 - prefix) - 2);
}

export function shockShortfall(plan: DrivePlan, creates: number): AddressShortfall {
  const demand = new Float64Array(plan.subnets.length);
  for (let a = 0; a < creates; a++) {
    const s = plan.slotSubnet[plan.seq.createSlot[a] ?? 0] ?? 0;
    demand[s] = (demand[s] ?? 0) + 1;
  }
  let unaddressable = 0;
  let factorNeeded = 1;
  plan.subnets.forEach((subnet, s) => {
    const d = demand[s] ?? 0;
    unaddressable += Math.max(0, d - usable(subnet.cidr));
    // blockSize gives slots x factor + 1 spare (rounded up to a power of two) usable addresses.
    if (subnet.slots > 0) factorNeeded = Math.max(factorNeeded, Math.ceil(Math.max(0, d - 1) / subnet.slots));
  });
  return { unaddressable, factorNeeded };
}
