/**
 * Every testbed node has its own loopback address, so per-node traffic and hostIPs are real:
 * 127.<purpose>.<hi>.<lo> with the node's index in the last two bytes (lo never 0 or 255).
 */
export const PURPOSE_OCTET = {
  netcd: 1,
  napi: 2,
  nctrl: 3,
  ketcd: 4,
  kapi: 5,
  kctrl: 6,
  comp: 10,
  data: 20,
  base: 21,
} as const;

export type Purpose = keyof typeof PURPOSE_OCTET;

export function nodeAddress(purpose: Purpose, index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= 254 * 256) {
    throw new RangeError(`node index ${index} of ${purpose} is out of range`);
  }
  return `127.${PURPOSE_OCTET[purpose]}.${Math.floor(index / 254)}.${(index % 254) + 1}`;
}

export function nodeName(purpose: Purpose, index: number): string {
  return `${purpose}${index}`;
}
