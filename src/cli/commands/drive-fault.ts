/**
 * `kos-test drive --fault SPEC`: one fault scenario (fault-scenario.ts), injected by the
 * supervisor of the testbed up in `--testbed-dir` through its control endpoint (POST /fault),
 * which signals its own process by PID and sends the SIGCONT of a stop itself (ADR 0030), or
 * sets and heals the relay in front of it (a delay or partition: ADR 0034).
 */
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultHost } from '../../experiment/faults/fault-campaign.js';
import { parseFaultFlag, type FaultScenario } from '../../experiment/spec/fault-scenario.js';
import { isNetworkFault } from '../../testbed/supervisor/fault-actions.js';
import type { TestbedStatus } from '../../testbed/supervisor/testbed.js';
import { DEFAULT_TESTBED_DIR } from '../../testbed/supervisor/testbed-state.js';
import { KosTestError } from '../../util/errors.js';
import { control } from './testbed-lifecycle.js';

export interface FaultFlags {
  fault?: string;
  testbedDir?: string;
  shard?: string;
}

/** The flag's scenario and the testbed to inject into; undefined without --fault. */
export function faultFromFlags(flags: FaultFlags): { scenario: FaultScenario; dir: string } | undefined {
  if (flags.fault === undefined) return undefined;
  if (flags.shard !== undefined)
    throw new KosTestError({
      what: '--fault needs one driver process',
      value: `--shard ${flags.shard}`,
      fix: 'drop --shard (one process measures the recovery)',
    });
  return { scenario: parseFaultFlag(flags.fault), dir: resolve(flags.testbedDir ?? DEFAULT_TESTBED_DIR) };
}

/**
 * Fails in one line when no testbed is up there, or a network fault is asked of a testbed up
 * without its relays (ADR 0034), before anything is driven.
 */
export async function checkFaultHost(dir: string, scenario: FaultScenario): Promise<void> {
  const status = await control<TestbedStatus>(dir, 'GET', '/status');
  if (isNetworkFault(scenario.action) && status.netFaults === undefined)
    throw new KosTestError({
      what: `the testbed in ${dir} cannot inject a ${scenario.action}`,
      value: 'it was brought up without network-fault relays',
      fix: 'bring it up with kos-test testbed up --net-faults',
    });
}

export function remoteFaultHost(dir: string): FaultHost {
  return {
    inject: async (req) => {
      const got = await control<{ process: string; pid: number; injectedMs: number; endsMs: number }>(
        dir,
        'POST',
        '/fault',
        req,
      );
      // The supervisor sends the SIGCONT on its own timer, at endsMs.
      const ended = sleep(Math.max(0, got.endsMs - Date.now())).then(() => got.endsMs);
      return { process: got.process, pid: got.pid, injectedMs: got.injectedMs, ended };
    },
  };
}
