/**
 * The labels on everything a driver run creates (pure): `app=attachment-tput-driver` as the
 * original driver sets it, and `runid=<id>`. Cleanup, the runner and the Job manifests select by
 * these, so they are defined here once.
 */
export const DRIVER_APP = 'attachment-tput-driver';

export function runLabels(runId: string): { app: string; runid: string } {
  return { app: DRIVER_APP, runid: runId };
}

/** The label selector of one run's objects, or of every run's when no id is given. */
export function runSelector(runId?: string): string {
  return runId === undefined ? `app=${DRIVER_APP}` : `app=${DRIVER_APP},runid=${runId}`;
}
