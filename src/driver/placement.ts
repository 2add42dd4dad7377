/** Which node each new attachment goes to (pure): round-robin over the nodes, or at random. */
import { randomInt, type Random } from '../util/prng.js';

export function nodePicker(nodes: number, roundRobin: boolean, random: Random): () => number {
  if (nodes <= 1) return () => 0;
  let next = 0;
  return roundRobin
    ? () => {
        const n = next;
        next = (next + 1) % nodes;
        return n;
      }
    : () => randomInt(random, nodes);
}
