/**
 * The guest MAC address and Linux interface name KOS's connection agent derives from an
 * attachment's VNI and IPv4 address (pure). Upstream: connectionagent/utils.go.
 *
 * Bytes: `[ (vni>>13 & 0xF8) | ((ip0 & 2)<<1) | 2, ip1, ip2, ip3, vni>>8 & 0xFF, vni & 0xFF ]`.
 * The low bits of byte 0 make it a locally administered unicast address; its top five bits carry
 * the VNI's top five of 21 bits, so (VNI, IPv4 minus its first byte) is recoverable from the MAC.
 */
import { parseIPv4 } from '../../api/ipv4-cidr.js';

/** The six MAC bytes, or undefined when `ipv4` is not a dotted quad. */
export function macBytes(vni: number, ipv4: string): number[] | undefined {
  const ip = parseIPv4(ipv4);
  if (ip === undefined) return undefined;
  const ip0 = ip >>> 24;
  return [
    ((vni >>> 13) & 0xf8) | ((ip0 & 0x02) << 1) | 0x02,
    (ip >>> 16) & 0xff,
    (ip >>> 8) & 0xff,
    ip & 0xff,
    (vni >>> 8) & 0xff,
    vni & 0xff,
  ];
}

/** Lower-case, colon-separated, two digits per byte: Go's net.HardwareAddr.String(). */
export function macAddress(vni: number, ipv4: string): string | undefined {
  return macBytes(vni, ipv4)
    ?.map((b) => b.toString(16).padStart(2, '0'))
    .join(':');
}

/** `kos` followed by the MAC's twelve hex digits: 15 characters, Linux's IFNAMSIZ limit. */
export function ifcName(mac: string): string {
  return `kos${mac.replaceAll(':', '')}`;
}
