/** IPLock names `v1-<VNI>-<a>-<b>-<c>-<d>` read back into a VNI and an address, and lock owners (pure). */
import { MAX_VNI, MIN_VNI } from '../../api/kos-types.js';
import type { ObjectMeta } from '../../api/meta.js';

const LOCK_NAME = /^v1-(\d{1,7})-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})$/;

/** The VNI and address (uint32) a lock name stands for, or undefined if it is not one. */
export function parseIpLockName(name: string): { vni: number; address: number } | undefined {
  const m = LOCK_NAME.exec(name);
  if (m === null) return undefined;
  const vni = Number(m[1]);
  if (vni < MIN_VNI || vni > MAX_VNI) return undefined;
  let address = 0;
  for (const part of m.slice(2, 6)) {
    const octet = Number(part);
    if (octet > 255 || (part.length > 1 && part.startsWith('0'))) return undefined;
    address = address * 256 + octet;
  }
  return { vni, address };
}

/** The controlling NetworkAttachment owner of an object, if it has one. */
export function attachmentOwner(obj: { metadata: ObjectMeta }): { name: string; uid: string } | undefined {
  const ref = obj.metadata.ownerReferences?.find(
    (r) => r.kind === 'NetworkAttachment' && r.controller === true,
  );
  return ref === undefined ? undefined : { name: ref.name, uid: ref.uid };
}
