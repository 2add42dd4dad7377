/**
 * The `status.address` section IPAM writes into a NetworkAttachment, and the write times its
 * latency metrics measure from (pure).
 */
import { formatIPv4 } from '../../api/ipv4-cidr.js';
import {
  NA_SECTION,
  SUBNET_SECTION,
  type NetworkAttachment,
  type NetworkAttachmentStatus,
  type Subnet,
} from '../../api/kos-types.js';
import type { ExtendedObjectMeta } from '../../api/meta.js';
import { formatMicroTime, parseMicroTime } from '../../api/micro-time.js';

export interface AddressAssignment {
  address: number;
  vni: number;
  lockUid: string;
  subnetCreationTime: string;
  contention: boolean;
}

/** The status with this address and no IPAM errors; other sections are kept. */
export function statusWithAddress(
  status: NetworkAttachmentStatus | undefined,
  a: AddressAssignment,
): NetworkAttachmentStatus {
  const next: NetworkAttachmentStatus = {
    ...status,
    ipv4: formatIPv4(a.address),
    addressVNI: a.vni,
    lockUID: a.lockUid,
    subnetCreationTime: a.subnetCreationTime,
    addressContention: a.contention,
  };
  return withIpamErrors(next, []);
}

/** The status with these IPAM errors and no address; other sections are kept. */
export function statusWithErrors(
  status: NetworkAttachmentStatus | undefined,
  messages: string[],
): NetworkAttachmentStatus {
  const next: NetworkAttachmentStatus = { ...status };
  delete next.ipv4;
  delete next.addressVNI;
  delete next.lockUID;
  delete next.subnetCreationTime;
  delete next.addressContention;
  return withIpamErrors(next, messages);
}

function withIpamErrors(status: NetworkAttachmentStatus, messages: string[]): NetworkAttachmentStatus {
  const host = status.errors?.host;
  const errors = {
    ...(messages.length > 0 ? { ipam: messages } : {}),
    ...(host !== undefined && host.length > 0 ? { host } : {}),
  };
  const next = { ...status };
  if (Object.keys(errors).length > 0) next.errors = errors;
  else delete next.errors;
  return next;
}

/** True when the two statuses agree on everything IPAM writes (empty and absent are the same). */
export function sameAddressSection(
  a: NetworkAttachmentStatus | undefined,
  b: NetworkAttachmentStatus | undefined,
): boolean {
  const ea = a?.errors?.ipam ?? [];
  const eb = b?.errors?.ipam ?? [];
  return (
    (a?.ipv4 ?? '') === (b?.ipv4 ?? '') &&
    (a?.addressVNI ?? 0) === (b?.addressVNI ?? 0) &&
    (a?.lockUID ?? '') === (b?.lockUID ?? '') &&
    (a?.subnetCreationTime ?? '') === (b?.subnetCreationTime ?? '') &&
    (a?.addressContention ?? false) === (b?.addressContention ?? false) &&
    ea.length === eb.length &&
    ea.every((m, i) => m === eb[i])
  );
}

/** Epoch microseconds of the newest server write of `section`, if stamped. */
export function sectionWriteMicros(
  obj: { extendedMetadata?: ExtendedObjectMeta },
  section: string,
): number | undefined {
  let newest: number | undefined;
  for (const w of obj.extendedMetadata?.writes ?? []) {
    if (w.section !== section) continue;
    const t = parseMicroTime(w.serverTime);
    if (t !== undefined && (newest === undefined || t > newest)) newest = t;
  }
  return newest;
}

/**
 * When the subnet was created, as a MicroTime: the server's stamp of its (immutable) spec, which
 * is its creation to the microsecond, else its creationTimestamp.
 */
export function subnetCreationTime(subnet: Subnet): string {
  const micros = sectionWriteMicros(subnet, SUBNET_SECTION.spec);
  if (micros !== undefined) return formatMicroTime(micros);
  const created = parseMicroTime(subnet.metadata.creationTimestamp ?? '');
  return formatMicroTime(created ?? 0);
}

/**
 * The last client write an address answers: the attachment's spec write, or the subnet's
 * creation when that came later (as upstream KOS labels it: `na` or `subnet`).
 */
export function lastClientWrite(
  att: NetworkAttachment,
  subnet: Subnet,
): { micros: number; source: 'na' | 'subnet' } | undefined {
  const na = sectionWriteMicros(att, NA_SECTION.spec);
  const sn = parseMicroTime(subnetCreationTime(subnet));
  if (na === undefined) return undefined;
  return sn !== undefined && sn > na ? { micros: sn, source: 'subnet' } : { micros: na, source: 'na' };
}
