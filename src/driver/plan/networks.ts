/**
 * The run's virtual networks (pure): VNIs consecutive from a random multiple of 65536 plus 1
 * (mod 2^21, as the original driver picks them, so runs rarely share VNIs), one subnet per VN or
 * two (attachments alternate between them) unless the VN has one slot or `singleNetwork`, and
 * disjoint CIDR blocks carved from `baseAddress`, each sized for its share of the VN times
 * `subnetSizeFactor`.
 */
import { formatIPv4, isRfc1918, parseIPv4 } from '../../api/ipv4-cidr.js';
import { KosTestError } from '../../util/errors.js';
import { randomInt, type Random } from '../../util/prng.js';

export interface SubnetPlan {
  name: string;
  vni: number;
  /** e.g. 172.24.0.0/26 */
  cidr: string;
  /** Slots of its VN that use this subnet. */
  slots: number;
}

export interface NetworkPlan {
  vni: number;
  size: number;
  /** Indices into the plan's subnet list. */
  subnets: number[];
}

export interface NetworksInput {
  sizes: readonly number[];
  singleNetwork: boolean;
  baseAddress: string;
  subnetSizeFactor: number;
}

const VNI_SPACE = 1 << 21;
/** A plan's VNIs start at a multiple of this, plus 1. */
const VNI_BLOCK = 65536;
/** How many first VNIs a plan can draw: multiples of VNI_BLOCK (plus 1) below 2^21. */
export const VNI_BASES = VNI_SPACE / VNI_BLOCK;

/** VNI of VN k (from 0): consecutive from `firstVni`, wrapping below 2^21. */
export function vniOf(firstVni: number, k: number): number {
  return (firstVni + k) % VNI_SPACE;
}

/** A random multiple of 65536, plus 1. */
export function randomFirstVni(random: Random): number {
  return randomInt(random, VNI_BASES) * VNI_BLOCK + 1;
}

/** The first VNI of the block of 65536 that holds `vni`: a plan drawing that first VNI would use it. */
export function blockFirstVni(vni: number): number {
  return Math.floor(Math.max(0, vni - 1) / VNI_BLOCK) * VNI_BLOCK + 1;
}

export function vniHex(vni: number): string {
  return vni.toString(16).padStart(6, '0');
}

/**
 * Addresses a subnet of `slots` attachments needs: slots x factor, one spare (in cruise a slot's
 * new attachment is created right after the old one's delete, before IPAM has released its
 * address), plus the network and broadcast addresses; rounded up to a power of two.
 */
export function blockSize(slots: number, factor: number): number {
  const needed = Math.ceil(slots * factor) + 1 + 2;
  let size = 4;
  while (size < needed) size *= 2;
  return size;
}

export function planNetworks(
  input: NetworksInput,
  firstVni: number,
): { networks: NetworkPlan[]; subnets: SubnetPlan[] } {
  const base = parseIPv4(input.baseAddress);
  if (base === undefined) {
    throw new KosTestError({
      what: 'bad --base-address',
      value: input.baseAddress,
      fix: 'give an IPv4 address like 172.24.0.0',
    });
  }
  const networks: NetworkPlan[] = [];
  const subnets: SubnetPlan[] = [];
  input.sizes.forEach((size, k) => {
    const vni = vniOf(firstVni, k);
    const count = size > 1 && !input.singleNetwork ? 2 : 1;
    const ids: number[] = [];
    for (let j = 0; j < count; j++) {
      ids.push(subnets.length);
      // Slot s of the VN uses subnet s mod count.
      const slots = Math.floor(size / count) + (j < size % count ? 1 : 0);
      subnets.push({ name: `${vniHex(vni)}-s${j}`, vni, cidr: '', slots });
    }
    networks.push({ vni, size, subnets: ids });
  });
  assignCidrs(subnets, base, input);
  return { networks, subnets };
}

/** Largest blocks first, so every block starts aligned to its own size without gaps. */
function assignCidrs(subnets: SubnetPlan[], base: number, input: NetworksInput): void {
  const order = subnets.map((_, i) => i);
  const sizeOf = subnets.map((s) => blockSize(s.slots, input.subnetSizeFactor));
  order.sort((a, b) => (sizeOf[b] ?? 0) - (sizeOf[a] ?? 0) || a - b);
  let cursor = base;
  for (const i of order) {
    const size = sizeOf[i] ?? 4;
    cursor = Math.ceil(cursor / size) * size;
    const last = cursor + size - 1;
    if (!isRfc1918(cursor, last)) {
      throw new KosTestError({
        what: 'the subnets do not fit in one RFC 1918 range from --base-address',
        value: `${input.baseAddress}, block ${formatIPv4(cursor)}/${32 - Math.log2(size)}`,
        fix: 'use a lower --base-address (e.g. 10.0.0.0), fewer or smaller nets, or a smaller --subnet-size-factor',
      });
    }
    const s = subnets[i];
    if (s !== undefined) s.cidr = `${formatIPv4(cursor)}/${32 - Math.log2(size)}`;
    cursor += size;
  }
}
