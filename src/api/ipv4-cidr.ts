/** IPv4 addresses and CIDR blocks as uint32 numbers, and the RFC 1918 check KOS applies to subnets. */
const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Like Go's net.ParseCIDR: host bits may be set and are masked off. */
export function parseCidr(text: string): { base: number; last: number; prefix: number } | undefined {
  const [addr, bits, ...rest] = text.split('/');
  if (addr === undefined || bits === undefined || rest.length > 0 || !/^(3[0-2]|[12]?\d)$/.test(bits))
    return undefined;
  const ip = parseIPv4(addr);
  if (ip === undefined) return undefined;
  const prefix = Number(bits);
  const size = 2 ** (32 - prefix);
  const base = Math.floor(ip / size) * size;
  return { base, last: base + size - 1, prefix };
}

const PRIVATE_BLOCKS: readonly (readonly [number, number])[] = [
  [0x0a000000, 0x0affffff],
  [0xac100000, 0xac1fffff],
  [0xc0a80000, 0xc0a8ffff],
];

export function isRfc1918(base: number, last: number): boolean {
  return PRIVATE_BLOCKS.some(([lo, hi]) => base >= lo && last <= hi);
}
