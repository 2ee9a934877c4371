/** `hrtsim calibrate [DIR]`: fit the `host` profile to a measurement set (src/models/host/calibration.ts). */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { Option } from "effect";
import { FIT_TABLE_COLUMNS, fitTableRows, HELD_OUT, NOT_MODELED } from "../models/host/index.js";
import { calibrateDir, hostMeasurementsDir } from "../scenarios/host-files.js";
import { UsageError } from "../scenarios/problems.js";

/** Plain-text table, columns padded to their widest cell. */
function textTable(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(columns), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export async function calibrateCommand(a: { dir: Option.Option<string>; out: Option.Option<string> }): Promise<string> {
  const dir = Option.getOrElse(a.dir, () => hostMeasurementsDir());
  for (const f of ["machine.json", "samples.csv"]) {
    if (!existsSync(path.join(dir, f))) throw new UsageError(`${dir} is not a measurement set (no ${f}); make one with \`hrtsim measure --out ${dir}\``);
  }
  const result = await calibrateDir(dir, ...(Option.isSome(a.out) ? [a.out.value] : []));
  const r = result.calibration.record;
  const notModeled = Object.entries(NOT_MODELED).map(([e, why]) => `${e} (${why})`);
  return [
    `Calibrated machine "host" from ${r.measurements.dir} (${r.measurements.cpuModel}, ${r.measurements.cores} CPUs, ${r.measurements.date.slice(0, 10)}).`,
    "",
    textTable(FIT_TABLE_COLUMNS, fitTableRows(r)),
    "",
    "Every other parameter keeps its x64 value and source, marked \"(not fitted; from x64)\".",
    `Held out (not read by the fit; compared by \`hrtsim figures --host ${dir}\`): ${HELD_OUT.join(", ")}.`,
    `No model counterpart: ${notModeled.join("; ")}.`,
    ...(r.fits.some((f) => !f.matched) ? ["warning: some paths could not be matched (see \"not matched\" above)."] : []),
    "",
    ...result.files.map((f) => `wrote ${f}`),
  ].join("\n");
}
