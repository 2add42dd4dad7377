/** Which addresses of a subnet IPAM may hand out, and picking a free one (pure). */
import type { Cidr } from '../../api/ipv4-cidr.js';

export interface AddressRange {
  readonly first: number;
  readonly last: number;
}

/**
 * The assignable addresses of a block: all but the network and broadcast addresses, except in
 * /31 and /32 blocks, which have none to spare (RFC 3021). Upstream KOS also keeps the first
 * host address (x.x.x.1) back; the testbed follows the spec and does not.
 */
export function usableRange(cidr: Cidr): AddressRange {
  if (cidr.prefix >= 31) return { first: cidr.base, last: cidr.last };
  return { first: cidr.base + 1, last: cidr.last - 1 };
}

export function rangeSize(range: AddressRange): number {
  return range.last - range.first + 1;
}

export function inRange(range: AddressRange, address: number): boolean {
  return address >= range.first && address <= range.last;
}

/**
 * The first free address at or after `from` (wrapping round to `range.first`), or undefined when
 * every address is taken. `from` outside the range starts at `range.first`.
 */
export function pickAddress(
  range: AddressRange,
  isTaken: (address: number) => boolean,
  from: number = range.first,
): number | undefined {
  const start = inRange(range, from) ? from : range.first;
  for (let a = start; a <= range.last; a++) if (!isTaken(a)) return a;
  for (let a = range.first; a < start; a++) if (!isTaken(a)) return a;
  return undefined;
}
