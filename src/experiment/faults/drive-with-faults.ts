/**
 * A drive with a fault scenario beside it: the campaign injects on the driver's schedule, then
 * the run's faults (times, recovery, affected attachments) go into its summary and faults.json.
 */
import { join } from 'node:path';
import type { DriveSummary } from '../../driver/drive-summary.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import type { FaultScenario } from '../spec/fault-scenario.js';
import { faultRunOf, readFulfilments } from './fault-analysis.js';
import { startFaultCampaign, type FaultDraft, type FaultHost } from './fault-campaign.js';

export const FAULTS_FILE = 'faults.json';

export async function driveWithFaults(
  scenario: FaultScenario,
  host: FaultHost,
  /** The run's output directory (where the driver writes its per-attachment CSV). */
  dirOf: (summary: DriveSummary) => string,
  log: (m: string) => void,
  drive: (onSchedule: (cruise: { startMs: number; endMs: number }) => void) => Promise<DriveSummary>,
): Promise<DriveSummary> {
  const campaign = startFaultCampaign(scenario, host, log);
  let drafts: FaultDraft[] = [];
  let summary: DriveSummary;
  try {
    summary = await drive((c) => {
      campaign.onSchedule(c);
    });
  } finally {
    drafts = await campaign.finish();
  }
  const dir = dirOf(summary);
  const faults = faultRunOf(scenario.name, drafts, await readFulfilments(dir), summary.phases.cruise.window);
  await writeFileAtomic(join(dir, FAULTS_FILE), `${JSON.stringify(faults, null, 2)}\n`);
  return { ...summary, faults };
}
