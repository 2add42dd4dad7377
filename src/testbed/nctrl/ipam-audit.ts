/**
 * Checks IPAM's invariants over a snapshot of attachments, locks and subnets (e.g. read straight
 * from etcd after a run): no address of a VNI in two statuses, every address backed by its
 * owner's lock, no orphaned or surplus locks, every attachment of a valid subnet addressed (pure).
 */
import { parseCidr, parseIPv4 } from '../../api/ipv4-cidr.js';
import { ipLockName, type IPLock, type NetworkAttachment, type Subnet } from '../../api/kos-types.js';
import { inRange, usableRange } from './address-range.js';
import { attachmentOwner } from './ip-lock-name.js';

export interface IpamAudit {
  attachments: number;
  addressed: number;
  locks: number;
  /** Broken invariants, one line each; empty when all hold. */
  violations: string[];
  /** Attachments of a validated subnet that have no address (fine mid-run, not at rest). */
  unaddressed: string[];
}

const keyOf = (o: { metadata: { namespace?: string; name?: string } }): string =>
  `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

export function auditIpam(
  attachments: readonly NetworkAttachment[],
  locks: readonly IPLock[],
  subnets: readonly Subnet[],
): IpamAudit {
  const violations: string[] = [];
  const unaddressed: string[] = [];
  const lockByKey = new Map(locks.map((l) => [keyOf(l), l]));
  const subnetByKey = new Map(subnets.map((s) => [keyOf(s), s]));
  const holders = new Map<string, string>();
  const liveUids = new Map<string, string>(attachments.map((a) => [keyOf(a), a.metadata.uid ?? '']));
  let addressed = 0;
  for (const att of attachments) {
    const key = keyOf(att);
    const ns = att.metadata.namespace ?? '';
    const st = att.status;
    const subnet = subnetByKey.get(`${ns}/${att.spec.subnet}`);
    if (st?.ipv4 === undefined || st.ipv4 === '') {
      if (subnet?.status?.validated === true) unaddressed.push(key);
      continue;
    }
    addressed++;
    const vni = st.addressVNI ?? 0;
    const pool = `${ns}/${vni}/${st.ipv4}`;
    const other = holders.get(pool);
    if (other !== undefined) violations.push(`${st.ipv4} in VNI ${vni} is held by both ${other} and ${key}`);
    holders.set(pool, key);
    const lock = lockByKey.get(`${ns}/${ipLockName(vni, st.ipv4)}`);
    if (lock === undefined) {
      violations.push(`${key} has ${st.ipv4} in VNI ${vni} but there is no lock for it`);
    } else {
      if (lock.metadata.uid !== st.lockUID)
        violations.push(`${key} names lock ${st.lockUID ?? ''}, not ${keyOf(lock)}`);
      if (attachmentOwner(lock)?.uid !== att.metadata.uid)
        violations.push(`${keyOf(lock)} is not owned by ${key}`);
    }
    if (subnet !== undefined) {
      const cidr = parseCidr(subnet.spec.ipv4);
      const address = parseIPv4(st.ipv4);
      if (
        cidr === undefined ||
        address === undefined ||
        subnet.spec.vni !== vni ||
        !inRange(usableRange(cidr), address)
      ) {
        violations.push(`${key} has ${st.ipv4} in VNI ${vni}, outside subnet ${keyOf(subnet)}`);
      }
    }
  }
  const locksPerOwner = new Map<string, number>();
  for (const lock of locks) {
    const owner = attachmentOwner(lock);
    const ownerKey = `${lock.metadata.namespace ?? ''}/${owner?.name ?? ''}`;
    if (owner === undefined || liveUids.get(ownerKey) !== owner.uid) {
      violations.push(`${keyOf(lock)} is orphaned (owner ${ownerKey} ${owner?.uid ?? '-'} is gone)`);
      continue;
    }
    locksPerOwner.set(ownerKey, (locksPerOwner.get(ownerKey) ?? 0) + 1);
  }
  for (const [owner, n] of locksPerOwner) if (n > 1) violations.push(`${owner} holds ${n} locks`);
  return { attachments: attachments.length, addressed, locks: locks.length, violations, unaddressed };
}
