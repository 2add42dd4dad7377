/** `kos-test merge <shard-dir>... --out DIR`: one run's shard summaries merged exactly. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { mergeShardDirs } from '../../driver/shards/read-shards.js';

export function registerMergeCommand(program: Command): void {
  program
    .command('merge')
    .description(
      "Merge the summaries of one run's shards (kos-test drive --shard i/N) into one summary.json.",
    )
    .argument(
      '<shard-dir...>',
      "the run's directory <out>/<runid> (all its shard-<i>/), or each shard's directory",
    )
    .requiredOption('--out <dir>', 'directory for the merged summary.json')
    .action(async (dirs: string[], o: { out: string }) => {
      const { path } = await mergeShardDirs(
        dirs.map((d) => resolve(d)),
        resolve(o.out),
      );
      console.log(`merged ${dirs.length} shard summaries: ${path}`);
    });
}
