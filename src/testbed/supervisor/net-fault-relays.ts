/**
 * The relays of a testbed brought up for network faults (ADR 0034): one TcpRelay on each target's
 * own loopback address, by process name, whose URL the testbed hands to clients instead of the
 * target's. A restarted target keeps its relay (and so its clients' URL).
 */
import { TcpRelay } from '../relay/tcp-relay.js';

export class NetFaultRelays {
  private readonly relays = new Map<string, TcpRelay>();

  /** Puts a relay in front of `name` serving at `url`, or points its relay there again. */
  async front(name: string, url: string): Promise<void> {
    const u = new URL(url);
    const upstream = { host: u.hostname, port: Number(u.port) };
    const relay = this.relays.get(name);
    if (relay !== undefined) await relay.upstreamUp(upstream);
    else this.relays.set(name, await TcpRelay.start({ host: u.hostname, upstream }));
  }

  /** What clients use to reach `name`: its relay's URL, or `direct` when it has none. */
  url(name: string, direct: string): string {
    const relay = this.relays.get(name);
    if (relay === undefined) return direct;
    const u = new URL(direct);
    u.port = String(relay.port);
    return u.href.replace(/\/$/, '');
  }

  relay(name: string): TcpRelay | undefined {
    return this.relays.get(name);
  }

  /** `name` died: its relay refuses connections until `front` is called again. */
  upstreamDown(name: string): void {
    this.relays.get(name)?.upstreamDown();
  }

  /** `name` was stopped on purpose (scaled away): its relay goes too. */
  async remove(name: string): Promise<void> {
    const relay = this.relays.get(name);
    this.relays.delete(name);
    await relay?.close();
  }

  async closeAll(): Promise<void> {
    const all = [...this.relays.values()];
    this.relays.clear();
    await Promise.all(all.map((r) => r.close()));
  }
}
