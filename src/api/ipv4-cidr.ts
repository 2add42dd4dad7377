/** IPv4 addresses and CIDR blocks as uint32 numbers, and the RFC 1918 check KOS applies to subnets. */

export interface Cidr {
  /** The first address (host bits cleared). */
  readonly base: number;
  /** The last address of the block. */
  readonly last: number;
  readonly prefix: number;
}

/** Strict dotted quad: four decimal octets 0-255, no leading zeros (Go rejects them too), no spaces. */
export function parseIPv4(text: string): number | undefined {
  let result = 0;
  let octets = 0;
  let i = 0;
  for (;;) {
    const start = i;
    let octet = 0;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      octet = octet * 10 + (c - 48);
      i++;
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || octet > 255) return undefined;
    if (digits > 1 && text.charCodeAt(start) === 48) return undefined;
    result = result * 256 + octet;
    octets++;
    if (octets === 4) return i === text.length ? result : undefined;
    if (text.charCodeAt(i) !== 46) return undefined; // '.'
    i++;
  }
}

export function formatIPv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * `a.b.c.d/n` like Go's net.ParseCIDR: host bits may be set and are masked off; the prefix length is
 * decimal 0-32 (leading zeros accepted, as Go does). Anything else, IPv6 included, gives undefined.
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIPv4(text.slice(0, slash));
  if (ip === undefined) return undefined;
  const bits = text.slice(slash + 1);
  if (bits.length === 0) return undefined;
  let prefix = 0;
  for (let i = 0; i < bits.length; i++) {
    const c = bits.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    prefix = prefix * 10 + (c - 48);
    if (prefix > 32) return undefined;
  }
  // `<< 32` is `<< 0` in JavaScript, so /0 needs its own mask.
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const base = (ip & mask) >>> 0;
  return { base, last: (base | ~mask) >>> 0, prefix };
}

const PRIVATE_BLOCKS: readonly (readonly [number, number])[] = [
  [0x0a000000, 0x0affffff], // 10.0.0.0/8
  [0xac100000, 0xac1fffff], // 172.16.0.0/12
  [0xc0a80000, 0xc0a8ffff], // 192.168.0.0/16
];

/** True when the whole block [base, last] lies inside one RFC 1918 range. */
export function isRfc1918(base: number, last: number): boolean {
  for (const [lo, hi] of PRIVATE_BLOCKS) if (base >= lo && last <= hi) return true;
  return false;
}
