/**
 * Seeds whose runs get VNIs no earlier run of the test used: two kept runs on one VNI conflict in
 * the subnet validator.
 */
import { freshSeed as freshSeedFrom } from '../../src/driver/plan/drive-plan.js';

const used = new Set<number>();

export function freshSeed(from: number): number {
  return freshSeedFrom(from, used);
}
