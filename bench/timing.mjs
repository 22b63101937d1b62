/**
 * Shared by the command-timing benchmarks: run commands interleaved (one run of
 * each per round, so machine noise hits all alike) and take medians.
 */
import { spawnSync } from 'node:child_process';

/** Wall time of one run of `node <argv>` in `cwd`, in milliseconds; throws when it fails. */
export function timeOnce(command, env) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, command.argv, { cwd: command.cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${command.name} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Median milliseconds per command after one untimed warm-up round, `runs` interleaved rounds. */
export function interleavedMedians(commands, runs, env) {
  for (const command of commands) timeOnce(command, env);
  const times = commands.map(() => []);
  for (let run = 0; run < runs; run++) commands.forEach((command, index) => times[index].push(timeOnce(command, env)));
  return times.map(median);
}
