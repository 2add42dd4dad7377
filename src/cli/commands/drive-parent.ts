/**
 * A drive started by the experiment runner as one of its shards must not outlive it, even when
 * the runner was SIGKILLed (no exit handler runs then): the runner names itself in this variable
 * and the drive stops at once (outputs still written) when its parent is gone.
 */
export const PARENT_PID_ENV = 'KOS_TEST_DRIVE_PARENT_PID';
const CHECK_MS = 500;

/** Calls `stop` once the parent named in env has gone; returns the cancel. No variable: no-op. */
export function stopWithParent(stop: () => void, env: NodeJS.ProcessEnv = process.env): () => void {
  const parent = Number(env[PARENT_PID_ENV]);
  if (!Number.isInteger(parent) || parent <= 0) return () => undefined;
  const timer = setInterval(() => {
    // Reparented (our parent died) or the named process is not ours any more.
    if (process.ppid !== parent) {
      clearInterval(timer);
      stop();
    }
  }, CHECK_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}
