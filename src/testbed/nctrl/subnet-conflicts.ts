/** The subnet validator's rules: one namespace per VNI, disjoint CIDR blocks per VNI (pure). */
import { parseCidr } from '../../api/ipv4-cidr.js';
import type { Subnet } from '../../api/kos-types.js';

/**
 * Why `candidate` may not be validated, given the subnets a live list returned for its VNI (it
 * may be among them); sorted, empty when it may be.
 */
export function subnetConflicts(candidate: Subnet, peers: readonly Subnet[]): string[] {
  const mine = parseCidr(candidate.spec.ipv4);
  if (mine === undefined) return [`malformed IPv4 CIDR block ${candidate.spec.ipv4}`];
  const messages: string[] = [];
  for (const peer of peers) {
    if (peer.metadata.uid === candidate.metadata.uid || peer.spec.vni !== candidate.spec.vni) continue;
    const who = `${peer.metadata.namespace ?? ''}/${peer.metadata.name ?? ''}`;
    if (peer.metadata.namespace !== candidate.metadata.namespace) {
      messages.push(`VNI ${candidate.spec.vni} is already used in another namespace, by ${who}`);
    }
    const theirs = parseCidr(peer.spec.ipv4);
    if (theirs !== undefined && theirs.base <= mine.last && mine.base <= theirs.last) {
      messages.push(`CIDR block ${candidate.spec.ipv4} overlaps ${peer.spec.ipv4} of ${who}`);
    }
  }
  return messages.sort();
}

export function sameMessages(a: readonly string[] | undefined, b: readonly string[]): boolean {
  const x = a ?? [];
  return x.length === b.length && x.every((m, i) => m === b[i]);
}
