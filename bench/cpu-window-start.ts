/**
 * When a driver worker opens its CPU window (pure): at its first op, so a run given a shared
 * start a set-up lead ahead (--start-at) is not charged the idle wait for it.
 */
import type { DrivePhase } from '../src/driver/run-drive.js';

/**
 * Whether the progress tick at `nowMs` opens the window: once set up, and with a shared start
 * (`startAtMs`, epoch ms), only at the last tick before it (a tick every `tickMs`), so the window
 * holds at most one tick of the wait; without one the schedule starts at once.
 */
export function opensCpuWindow(
  phase: DrivePhase,
  nowMs: number,
  startAtMs: number | undefined,
  tickMs: number,
): boolean {
  return phase !== 'setup' && (startAtMs === undefined || nowMs + tickMs >= startAtMs);
}
