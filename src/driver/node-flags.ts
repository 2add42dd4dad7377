/**
 * Node flags for every process that paces load (ADR 0007). V8's memory reducer starts a full
 * mark-compact once it judges the heap idle, and a driver is idle while it waits for its start
 * time: the reducer's collections then land in the first seconds of the run, 20-45 ms pauses of
 * the pacer on a busy machine. The flag works only when node starts (v8.setFlagsFromString is
 * too late for it), so the launcher's shebang, the npm scripts and every driver process kos-test
 * spawns pass it.
 */
export const DRIVER_NODE_FLAGS: readonly string[] = ['--no-memory-reducer'];
