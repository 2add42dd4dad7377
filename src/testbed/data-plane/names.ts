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

/** The namespace that holds every bridge and the fabric ends of every veth pair. */
export function fabricNetns(prefix: string): string {
  return `${prefix}-fabric`;
}

/** One bridge per VNI: only attachments of one virtual network share a layer-2 segment. */
export function bridgeName(vni: number): string {
  return `kb${vni.toString(16).padStart(6, '0')}`;
}

/**
 * A comp node's own namespace, where its attachments' interfaces appear and its commands run:
 * interface names (derived from VNI and address, reused as soon as IPAM reuses the address) are
 * unique per node only, as on real hosts.
 */
export function nodeNetns(prefix: string, node: string): string {
  return `${prefix}-${node}`;
}

/** The fabric-side end of a node's attachment interface: unique in the shared fabric namespace. */
export function hostEndName(node: string, ifcName: string): string {
  return `kp${createHash('sha256').update(`${node}/${ifcName}`).digest('hex').slice(0, 13)}`;
}
