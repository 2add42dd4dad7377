/**
 * Whether this kernel has tc netem (I/O), asked only inside a network namespace the probe makes
 * and deletes (netem on the host's `lo` would slow every process on the machine). The testbed's
 * network faults use the relay stand-in either way (ADR 0034); the answer says so plainly.
 */
import { startCommand } from '../data-plane/run-command.js';
import { dataPlanePrefix } from '../data-plane/names.js';

export interface NetemProbe {
  present: boolean;
  /** One line: what was found, or why it could not be asked. */
  detail: string;
}

const TIMEOUT_MS = 5000;

export async function probeNetem(testbedDir: string): Promise<NetemProbe> {
  if (process.getuid?.() !== 0)
    return { present: false, detail: 'not probed: making a network namespace needs root' };
  const netns = `${dataPlanePrefix(testbedDir)}-netem-probe`;
  const run = async (argv: string[], inNetns = false): Promise<{ ok: boolean; err: string }> => {
    const r = await startCommand(argv, argv, { timeoutMs: TIMEOUT_MS, ...(inNetns ? { netns } : {}) }).done;
    return { ok: r.exitStatus === 0, err: r.stdErr.trim().split('\n')[0] ?? '' };
  };
  const made = await run(['ip', 'netns', 'add', netns]);
  if (!made.ok) return { present: false, detail: `not probed: ip netns add failed: ${made.err}` };
  try {
    const tc = await run(['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'], true);
    return tc.ok
      ? { present: true, detail: 'tc netem works (in a namespace of our own)' }
      : { present: false, detail: `tc netem absent: ${tc.err}` };
  } finally {
    await run(['ip', 'netns', 'delete', netns]);
  }
}
