/**
 * The relays of a testbed brought up for network faults (ADR 0034): one TcpRelay on each target's
 * own loopback address, by process name, whose URL the testbed hands to clients instead of the
 * target's. A restarted target keeps its relay (and so its clients' URL).
 */
import { TcpRelay } from '../relay/tcp-relay.js';

export class NetFaultRelays {
  private readonly relays = new Map<string, TcpRelay>();
  /** After closeAll, a restart still under way (the restarter stops first) must not start a relay. */
  private closed = false;

  /** Puts a relay in front of `name` serving at `url`, or points its relay there again. */
  async front(name: string, url: string): Promise<void> {
    const u = new URL(url);
    const upstream = { host: u.hostname, port: Number(u.port) };
    const relay = this.relays.get(name);
    if (relay !== undefined) {
      await relay.upstreamUp(upstream);
      return;
    }
    if (this.closed) return;
    const started = await TcpRelay.start({ host: u.hostname, upstream });
    // Re-read after the await: closeAll may have run meanwhile.
    if (this.isClosed()) await started.close();
    else this.relays.set(name, started);
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

  private isClosed(): boolean {
    return this.closed;
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    const all = [...this.relays.values()];
    this.relays.clear();
    await Promise.all(all.map((r) => r.close()));
  }
}
