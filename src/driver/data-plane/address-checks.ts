/**
 * Address checks on the run's live attachments (pure): two live attachments of one virtual
 * network with the same IPv4 address, or an address outside its subnet's usable range (the
 * network and broadcast addresses excluded), as the original driver logs them. Each problem is
 * counted once when it appears; a few examples are kept for the summary.
 */
import { parseCidr, parseIPv4 } from '../../api/ipv4-cidr.js';

export type AddressProblem =
  | { kind: 'duplicate'; ipv4: string; vni: number; holders: number[] }
  | { kind: 'outOfSubnet'; ipv4: string; cidr: string; attachment: number };

export interface AddressCounts {
  duplicates: number;
  outOfSubnet: number;
  examples: string[];
}

const EXAMPLES = 5;

export class AddressChecks {
  private readonly byVni = new Map<number, Map<string, Set<number>>>();
  private readonly live = new Map<number, { vni: number; ipv4: string }>();
  readonly counts: AddressCounts = { duplicates: 0, outOfSubnet: 0, examples: [] };

  /** Attachment i (create counter `a`) of VNI `vni`, subnet `cidr`, now has `ipv4`. */
  see(a: number, vni: number, cidr: string, ipv4: string): AddressProblem[] {
    const old = this.live.get(a);
    if (old !== undefined && old.ipv4 === ipv4) return [];
    this.gone(a);
    const problems: AddressProblem[] = [];
    if (!inUsableRange(cidr, ipv4)) problems.push({ kind: 'outOfSubnet', ipv4, cidr, attachment: a });
    let addrs = this.byVni.get(vni);
    if (addrs === undefined) this.byVni.set(vni, (addrs = new Map<string, Set<number>>()));
    let holders = addrs.get(ipv4);
    if (holders === undefined) addrs.set(ipv4, (holders = new Set()));
    holders.add(a);
    this.live.set(a, { vni, ipv4 });
    if (holders.size > 1)
      problems.push({ kind: 'duplicate', ipv4, vni, holders: [...holders].sort((x, y) => x - y) });
    for (const p of problems) this.count(p);
    return problems;
  }

  /** The address last seen of attachment `a`. */
  addressOf(a: number): string | undefined {
    return this.live.get(a)?.ipv4;
  }

  /** Attachment `a` is being deleted (or lost its address): its address is free again. */
  gone(a: number): void {
    const old = this.live.get(a);
    if (old === undefined) return;
    this.live.delete(a);
    const addrs = this.byVni.get(old.vni);
    const holders = addrs?.get(old.ipv4);
    holders?.delete(a);
    if (holders?.size === 0) addrs?.delete(old.ipv4);
  }

  private count(p: AddressProblem): void {
    if (p.kind === 'duplicate') this.counts.duplicates++;
    else this.counts.outOfSubnet++;
    if (this.counts.examples.length < EXAMPLES) this.counts.examples.push(describeAddressProblem(p));
  }
}

export function describeAddressProblem(p: AddressProblem): string {
  return p.kind === 'duplicate'
    ? `${p.ipv4} held by attachments ${p.holders.join(', ')} of VNI ${p.vni}`
    : `${p.ipv4} of attachment ${p.attachment} is outside ${p.cidr}`;
}

function inUsableRange(cidr: string, ipv4: string): boolean {
  const c = parseCidr(cidr);
  const ip = parseIPv4(ipv4);
  if (c === undefined || ip === undefined) return false;
  return ip > c.base && ip < c.last;
}
