/** `hrtsim calibrate [DIR]`: fit the `host` profile to a measurement set (src/models/host/calibration.ts). */
import { Option } from "effect";
import { FIT_TABLE_COLUMNS, fitTableRows, heldOutOf, NOT_MODELED } from "../models/host/index.js";
import { calibrateDir, checkMeasurementSet, hostMeasurementsDir } from "../scenarios/host-files.js";
import { textTable } from "../reports/text-table.js";

export async function calibrateCommand(a: { dir: Option.Option<string>; out: Option.Option<string> }): Promise<string> {
  const dir = Option.getOrElse(a.dir, () => hostMeasurementsDir());
  await checkMeasurementSet(dir);
  const result = await calibrateDir(dir, ...(Option.isSome(a.out) ? [a.out.value] : []));
  const r = result.calibration.record;
  const notModeled = Object.entries(NOT_MODELED).map(([e, why]) => `${e} (${why})`);
  return [
    `Calibrated machine "host" from ${r.measurements.dir} (${r.measurements.cpuModel}, ${r.measurements.cores} CPUs, ${r.measurements.date.slice(0, 10)}).`,
    "",
    textTable(FIT_TABLE_COLUMNS, fitTableRows(r)),
    "",
    "Every other parameter keeps its x64 value and source, marked \"(not fitted; from x64)\".",
    `Held out (not read by the fit; compared by \`hrtsim figures --host ${dir}\`): ${heldOutOf(new Set(result.set.samples.map((s) => s.experiment))).join(", ")}.`,
    `No model counterpart: ${notModeled.join("; ")}.`,
    ...(r.fits.some((f) => !f.matched) ? ["warning: some paths could not be matched (see \"not matched\" above)."] : []),
    "",
    ...result.files.map((f) => `wrote ${f}`),
  ].join("\n");
}
