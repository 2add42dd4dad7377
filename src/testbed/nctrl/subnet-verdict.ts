/** Whether IPAM may address an attachment in its subnet, and from which range (pure). */
import { parseCidr } from '../../api/ipv4-cidr.js';
import type { Subnet } from '../../api/kos-types.js';
import { usableRange, type AddressRange } from './address-range.js';

export type SubnetVerdict<S extends Subnet = Subnet> =
  /** The subnet validator has not looked at the subnet yet; its verdict will requeue us. */
  | { kind: 'wait' }
  /** Messages for `status.errors.ipam`; the attachment gets no address. */
  | { kind: 'error'; messages: string[] }
  | { kind: 'ok'; vni: number; range: AddressRange; subnet: S };

export function judgeSubnet<S extends Subnet>(subnetName: string, subnet: S | undefined): SubnetVerdict<S> {
  if (subnet === undefined) return { kind: 'error', messages: [`subnet ${subnetName} does not exist`] };
  if (subnet.status?.validated !== true) {
    // Upstream KOS waits for the validator's first verdict rather than write a transient error.
    if ((subnet.status?.errors ?? []).length === 0) return { kind: 'wait' };
    return { kind: 'error', messages: [`subnet ${subnetName} has not passed validation`] };
  }
  const cidr = parseCidr(subnet.spec.ipv4);
  if (cidr === undefined) {
    return {
      kind: 'error',
      messages: [`subnet ${subnetName} has a malformed IPv4 CIDR block (${subnet.spec.ipv4})`],
    };
  }
  return { kind: 'ok', vni: subnet.spec.vni, range: usableRange(cidr), subnet };
}

export function subnetFullMessage(namespace: string, subnetName: string): string {
  return `no IP address available in subnet ${namespace}/${subnetName}`;
}
