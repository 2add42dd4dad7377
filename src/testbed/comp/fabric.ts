/**
 * The hollow network fabric: KOS's "logger" fabric plus a delay. Each call waits a delay drawn
 * from the configured distribution (on a timer, never busy) and succeeds; nothing is programmed.
 * Upstream's InterfaceManager also lists interfaces for the agent's restart sync; a hollow agent
 * keeps its interfaces in memory only and starts empty, so that half is not needed.
 */
import { delaySampler, parseDelaySpec, type DelaySpec } from './delay-spec.js';
import { seededRandom } from '../../util/prng.js';
import { TimerQueue } from './timer-queue.js';

export interface LocalIfc {
  readonly name: string;
  readonly vni: number;
  readonly guestIP: string;
  readonly guestMAC: string;
}

export interface RemoteIfc {
  readonly vni: number;
  readonly guestIP: string;
  readonly guestMAC: string;
  readonly hostIP: string;
}

export type FabricOp = 'CreateLocalIfc' | 'DeleteLocalIfc' | 'CreateRemoteIfc' | 'DeleteRemoteIfc';

export interface FabricOptions {
  /** A DelaySpec or its text (see delay-spec.ts). @default '0ms' */
  delay?: DelaySpec | string;
  /** Seed for the delay draws; Math.random when absent. */
  seed?: number;
  /** Waits `ms` milliseconds. @default a TimerQueue owned by the fabric */
  sleep?: (ms: number) => Promise<void>;
  /** Sees every call, e.g. to record it in a test. */
  onCall?: (op: FabricOp, ifc: LocalIfc | RemoteIfc, delayMs: number) => void;
}

export class HollowFabric {
  readonly name = 'hollow';
  readonly delay: DelaySpec;
  /** Calls made, by operation. */
  readonly calls: Record<FabricOp, number> = {
    CreateLocalIfc: 0,
    DeleteLocalIfc: 0,
    CreateRemoteIfc: 0,
    DeleteRemoteIfc: 0,
  };
  private readonly draw: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly timers: TimerQueue | undefined;
  private readonly onCall: FabricOptions['onCall'];

  constructor(opts: FabricOptions = {}) {
    const delay = opts.delay ?? '0ms';
    this.delay = typeof delay === 'string' ? parseDelaySpec(delay) : delay;
    this.draw = delaySampler(this.delay, opts.seed === undefined ? Math.random : seededRandom(opts.seed));
    if (opts.sleep === undefined) {
      const timers = new TimerQueue();
      this.timers = timers;
      this.sleep = (ms) => timers.sleep(ms);
    } else {
      this.sleep = opts.sleep;
    }
    this.onCall = opts.onCall;
  }

  createLocalIfc(ifc: LocalIfc): Promise<void> {
    return this.call('CreateLocalIfc', ifc);
  }

  deleteLocalIfc(ifc: LocalIfc): Promise<void> {
    return this.call('DeleteLocalIfc', ifc);
  }

  createRemoteIfc(ifc: RemoteIfc): Promise<void> {
    return this.call('CreateRemoteIfc', ifc);
  }

  deleteRemoteIfc(ifc: RemoteIfc): Promise<void> {
    return this.call('DeleteRemoteIfc', ifc);
  }

  /** Ends pending delays at once (their calls complete) and the fabric's timer with them. */
  stop(): void {
    this.timers?.stop();
  }

  private call(op: FabricOp, ifc: LocalIfc | RemoteIfc): Promise<void> {
    const ms = this.draw();
    this.calls[op]++;
    this.onCall?.(op, ifc, ms);
    return ms <= 0 ? Promise.resolve() : this.sleep(ms);
  }
}
