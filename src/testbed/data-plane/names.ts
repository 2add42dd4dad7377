/**
 * Names of what the testbed's real data plane creates (pure). Everything the host sees carries a
 * prefix unique to the testbed's directory, so a sweep finds leftovers of exactly this testbed
 * (after a kill -9) and never touches another's; names inside the fabric namespace need no
 * prefix, since that namespace is the testbed's alone.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';

/** `kt` and six hex digits of the testbed directory's absolute path. */
export function dataPlanePrefix(testbedDir: string): string {
  return `kt${createHash('sha256').update(resolve(testbedDir)).digest('hex').slice(0, 6)}`;
}

/** The namespace that holds every bridge and the host ends of every veth pair. */
export function fabricNetns(prefix: string): string {
  return `${prefix}-fabric`;
}

/** One bridge per VNI: only attachments of one virtual network share a layer-2 segment. */
export function bridgeName(vni: number): string {
  return `kb${vni.toString(16).padStart(6, '0')}`;
}

/** The fabric-side end of an attachment's veth pair: `kop` and the MAC digits of `kos...`. */
export function hostEndName(ifcName: string): string {
  return `kop${ifcName.slice(3)}`;
}
