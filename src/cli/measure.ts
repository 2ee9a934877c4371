/** `hrtsim measure`: a thin wrapper over measureHost (src/scenarios/measure.ts). */
import { EXPERIMENTS, measureHost, type Experiment } from "../scenarios/measure.js";
import { UsageError, didYouMean } from "../scenarios/problems.js";

export interface MeasureRequest {
  readonly out: string;
  readonly trials?: number;
  /** Comma-separated experiment names. */
  readonly only?: string;
  readonly rounds?: number;
  readonly detourSeconds?: number;
  readonly quiet: boolean;
}

function experimentsOf(only: string): Experiment[] {
  const names = only.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  for (const n of names) {
    if (!(EXPERIMENTS as readonly string[]).includes(n)) {
      const hint = didYouMean(n, EXPERIMENTS);
      throw new UsageError(`--only: unknown experiment "${n}"${hint ? ` (${hint})` : ""}; known: ${EXPERIMENTS.join(", ")}`);
    }
  }
  return names as Experiment[];
}

export async function runMeasure(req: MeasureRequest): Promise<string> {
  if (req.trials !== undefined && !(Number.isInteger(req.trials) && req.trials >= 1)) {
    throw new UsageError(`--trials must be a positive integer, got ${req.trials}`);
  }
  if (req.rounds !== undefined && !(Number.isInteger(req.rounds) && req.rounds >= 1 && req.rounds <= 10_000)) {
    throw new UsageError(`--rounds must be an integer from 1 to 10000, got ${req.rounds}`);
  }
  if (req.detourSeconds !== undefined && !(req.detourSeconds > 0 && req.detourSeconds <= 600)) {
    throw new UsageError(`--detour-seconds must be more than 0 and at most 600, got ${req.detourSeconds}`);
  }
  const only = req.only === undefined ? undefined : experimentsOf(req.only);
  const tty = process.stderr.isTTY && !req.quiet;
  const result = await measureHost({
    outDir: req.out,
    ...(req.trials !== undefined ? { trials: req.trials } : {}),
    ...(only ? { only } : {}),
    ...(req.rounds !== undefined ? { rounds: req.rounds } : {}),
    ...(req.detourSeconds !== undefined ? { detourSeconds: req.detourSeconds } : {}),
    ...(tty ? { onProgress: (p) => process.stderr.write(`\r${p.experiment} ${p.done}/${p.total}\x1b[K`) } : {}),
  });
  if (tty) process.stderr.write("\n");
  for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
  return `wrote ${result.dir}: ${result.samples.length} samples`;
}
