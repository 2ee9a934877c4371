/**
 * `hrtsim measure-workloads`: build src/models/host/native/workloads.c (the Legion workloads'
 * inner loops) with the system C compiler into a private temporary directory, run it on this
 * host, and write the measurements with their source (host, date, CPU, command) as JSON —
 * the format of src/models/legion/data/host-workloads.json, which the legion model reads.
 */
import { mkdtemp, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { decodeWorkloadMeasurements, parseWorkloadOutput, type WorkloadMeasurements } from "../models/legion/measurements.js";
import { writeFileAtomic } from "./atomic.js";
import { HarnessBuildError, HarnessRunError, compile, cpuInfo, findCompiler, nativeSourceDir, run } from "./measure.js";

export const WORKLOADS_CFLAGS = ["-O2", "-Wall", "-Wextra"] as const;

export async function measureWorkloads(outFile: string, cc?: string): Promise<WorkloadMeasurements> {
  const compiler = await findCompiler(cc);
  const dir = await mkdtemp(path.join(os.tmpdir(), "hrtsim-workloads-"));
  try {
    const src = path.join(nativeSourceDir(), "workloads.c");
    const bin = path.join(dir, "workloads");
    const built = await compile(compiler.cc, WORKLOADS_CFLAGS, src, bin);
    if (built.code !== 0) throw new HarnessBuildError(built.command, built.stderr);
    const r = await run(bin, [], 300_000);
    if (r.code !== 0) throw new HarnessRunError(`workloads exited with ${r.code}`, r.code, r.stderr);
    const { tscHz, kernels } = parseWorkloadOutput(r.stdout);
    const cpu = await cpuInfo();
    const doc = decodeWorkloadMeasurements({
      source: {
        host: os.hostname(),
        date: new Date().toISOString(),
        cpu: `${cpu.model}${cpu.hypervisor ? " (under a hypervisor)" : ""}, ${os.cpus().length} CPUs`,
        command: `${compiler.cc} ${WORKLOADS_CFLAGS.join(" ")} -o workloads src/models/host/native/workloads.c && ./workloads (hrtsim measure-workloads)`,
        compiler: compiler.version,
        tscHz,
        note: "TSC cycles (rdtscp) per element, median over reps; the host may be shared, so reps vary (repCycles lists them all)",
      },
      kernels,
    }, "workloads measurement");
    await writeFileAtomic(outFile, JSON.stringify(doc, null, 2) + "\n");
    return doc;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
