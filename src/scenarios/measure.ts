/**
 * Measure the real thing: build the native harness (src/models/host/native) with the
 * system C compiler, run it on this host, and write a measurement set
 * (`samples.csv` + `machine.json`, see src/models/host/measurements.ts).
 */
import { spawn, execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, rename, unlink } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import {
  EXPERIMENTS,
  MEASUREMENT_FILES,
  decodeMachineInfo,
  formatSamplesCsv,
  parseHarnessOutput,
  type Experiment,
  type MachineInfo,
  type MeasurementSet,
} from "../models/host/index.js";
import { writeFileAtomic } from "./atomic.js";
import { defaultCacheDir, ensurePrivateDir, fileSha256 } from "./native-cache.js";
import { packageRoot } from "./package.js";

export {
  EXPERIMENTS,
  MeasurementFormatError,
  parseHarnessOutput,
  parseSamplesCsv,
  summarizeByExperiment,
  type Experiment,
  type HarnessOutput,
  type MachineInfo,
  type MeasurementSet,
  type Sample,
} from "../models/host/index.js";
export { hostMeasurementsDir, readMeasurementSet } from "./host-files.js";

/** Where the harness's C sources live (in the package's sources, also when run from dist/). */
export function nativeSourceDir(): string {
  return path.join(packageRoot(), "src", "models", "host", "native");
}

export const HARNESS_CFLAGS = ["-O2", "-pthread", "-Wall", "-Wextra"] as const;
const HELLO_CFLAGS = ["-O2"] as const;
const DEFAULT_COMPILERS = ["cc", "gcc", "clang"] as const;

/** No working C compiler: the harness cannot be built. */
export class CompilerNotFoundError extends Error {
  override readonly name = "CompilerNotFoundError";
  constructor(readonly tried: readonly string[]) {
    super(
      `No C compiler found (tried: ${tried.join(", ")}). The native harness needs one: ` +
        `install gcc or cc (Debian/Ubuntu: "apt-get install gcc"; Fedora: "dnf install gcc"), ` +
        `or set CC to a compiler's path.`,
    );
  }
}

/** The compiler rejected the harness (or hello.c). */
export class HarnessBuildError extends Error {
  override readonly name = "HarnessBuildError";
  constructor(readonly command: string, readonly stderr: string) {
    super(`Building the native harness failed: ${command}\n${stderr.trim()}`);
  }
}

/** The harness exited abnormally, timed out or was aborted. */
export class HarnessRunError extends Error {
  override readonly name = "HarnessRunError";
  constructor(message: string, readonly exitCode: number | null, readonly stderr: string) {
    super(stderr.trim() === "" ? message : `${message}\n${stderr.trim()}`);
  }
}

export interface BuildOptions {
  /** Compiler(s) to try, in order. Default: $CC, then cc, gcc, clang. */
  readonly cc?: string | readonly string[];
  /** Where to put the binaries (must be private to the caller). Default: ~/.cache/hrtsim/native-<hash>/ (native-cache.ts). */
  readonly cacheDir?: string;
  /** Rebuild even if the cache holds a build of this source. */
  readonly force?: boolean;
}

export interface BuiltHarness {
  readonly harness: string;
  readonly hello: string;
  readonly dir: string;
  /** sha256 (hex) of harness.c + hello.c + flags. */
  readonly hash: string;
  /** The compiler used and its `--version` first line. */
  readonly cc: string;
  readonly compiler: string;
  readonly helloLink: "static" | "dynamic";
  /** sha256 of the built binaries: a cached binary is reused only if it still matches. */
  readonly binaries?: { readonly harness: string; readonly hello: string };
}

interface Exec {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly missing: boolean;
}

export function run(cmd: string, args: readonly string[], timeoutMs = 60_000): Promise<Exec> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: string | number }) | null;
      const missing = e !== null && (e.code === "ENOENT" || e.code === "EACCES");
      const code = e === null ? 0 : typeof e.code === "number" ? e.code : null;
      resolve({ code, stdout: String(stdout), stderr: String(stderr), missing });
    });
  });
}

export async function findCompiler(cc: BuildOptions["cc"]): Promise<{ cc: string; version: string }> {
  const wanted = cc === undefined ? [process.env.CC, ...DEFAULT_COMPILERS] : typeof cc === "string" ? [cc] : [...cc];
  const candidates = [...new Set(wanted.filter((c): c is string => c !== undefined && c.trim() !== ""))];
  for (const c of candidates) {
    const r = await run(c, ["--version"], 10_000);
    if (r.code === 0) return { cc: c, version: (r.stdout.split("\n")[0] ?? "").trim() };
  }
  throw new CompilerNotFoundError(candidates);
}

/** Whether a C compiler is available (what `measure` would use). */
export async function hasCompiler(cc?: BuildOptions["cc"]): Promise<boolean> {
  return findCompiler(cc).then(() => true, () => false);
}

/** Compile `src` into `out` via a temporary name, so readers never see half a binary. */
export async function compile(cc: string, flags: readonly string[], src: string, out: string): Promise<Exec & { command: string }> {
  const tmp = `${out}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  const args = [...flags, "-o", tmp, src];
  const r = await run(cc, args, 120_000);
  if (r.code === 0) await rename(tmp, out);
  else await unlink(tmp).catch(() => undefined);
  return { ...r, command: [cc, ...args].join(" ") };
}

/** Hash of the harness sources and build flags (names the cache directory). */
export async function harnessSourceHash(): Promise<string> {
  const dir = nativeSourceDir();
  const h = createHash("sha256");
  for (const f of ["harness.c", "hello.c"]) h.update(f).update("\0").update(await readFile(path.join(dir, f))).update("\0");
  h.update(HARNESS_CFLAGS.join(" ")).update("\0").update(HELLO_CFLAGS.join(" "));
  return h.digest("hex");
}

/** Build the harness and hello (static if the toolchain can) unless already cached. */
export async function buildHarness(opts: BuildOptions = {}): Promise<BuiltHarness> {
  const src = nativeSourceDir();
  const hash = await harnessSourceHash();
  const dir = opts.cacheDir ?? defaultCacheDir(hash);
  // Before anything in it is run: private to the caller (no planted binary).
  await ensurePrivateDir(dir);
  const harness = path.join(dir, "harness");
  const hello = path.join(dir, "hello");
  const stampFile = path.join(dir, "build.json");
  if (!opts.force && existsSync(stampFile) && existsSync(harness) && existsSync(hello)) {
    try {
      const b = JSON.parse(await readFile(stampFile, "utf8")) as Partial<BuiltHarness>;
      if (b.hash === hash && b.cc && b.compiler !== undefined && (b.helloLink === "static" || b.helloLink === "dynamic") &&
        b.binaries?.harness === (await fileSha256(harness)) && b.binaries?.hello === (await fileSha256(hello))) {
        return { harness, hello, dir, hash, cc: b.cc, compiler: b.compiler, helloLink: b.helloLink, binaries: b.binaries };
      }
    } catch {
      /* rebuild */
    }
  }
  const { cc, version } = await findCompiler(opts.cc);
  const h = await compile(cc, HARNESS_CFLAGS, path.join(src, "harness.c"), harness);
  if (h.code !== 0) throw new HarnessBuildError(h.command, h.stderr);
  let helloLink: "static" | "dynamic" = "static";
  const st = await compile(cc, [...HELLO_CFLAGS, "-static"], path.join(src, "hello.c"), hello);
  if (st.code !== 0 || (await run(hello, [], 10_000)).code !== 0) {
    helloLink = "dynamic";
    const dy = await compile(cc, HELLO_CFLAGS, path.join(src, "hello.c"), hello);
    if (dy.code !== 0) throw new HarnessBuildError(dy.command, dy.stderr);
  }
  const binaries = { harness: await fileSha256(harness), hello: await fileSha256(hello) };
  const built: BuiltHarness = { harness, hello, dir, hash, cc, compiler: version, helloLink, binaries };
  await writeFileAtomic(stampFile, JSON.stringify(built, null, 2) + "\n");
  return built;
}

export interface Progress {
  readonly experiment: Experiment;
  readonly done: number;
  readonly total: number;
}

export interface MeasureOptions {
  /** Directory to write samples.csv and machine.json into (created if missing). */
  readonly outDir: string;
  /** Trials per experiment and core (spinlock and syscall run 10×). Default: the harness's. */
  readonly trials?: number;
  /** Run only these experiments. */
  readonly only?: readonly Experiment[];
  readonly onProgress?: (p: Progress) => void;
  readonly build?: BuildOptions;
  readonly signal?: AbortSignal;
  /** Rounds the experiments are interleaved in (the harness uses the largest divisor of trials ≤ this). Default: the harness's (10). */
  readonly rounds?: number;
  /** Seconds of the detour (noise-trace) loop per CPU. Default: the harness's (2 s). */
  readonly detourSeconds?: number;
  /** Kill the harness after this long. Default: 15 minutes. */
  readonly timeoutMs?: number;
}

export interface MeasurementRun extends MeasurementSet {
  readonly dir: string;
  /** `# warning ...` lines the harness printed (dropped trials). */
  readonly warnings: readonly string[];
}

const PROGRESS = /^# progress (\S+) (\d+)\/(\d+)$/;

/** Run a built harness; resolves with its stdout, streaming progress. */
function runHarness(built: BuiltHarness, args: readonly string[], opts: MeasureOptions): Promise<{ stdout: string; warnings: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(built.harness, [...args], { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const errTail: string[] = [];
    const warnings: string[] = [];
    let pending = "";
    let killedFor: string | undefined;
    const kill = (why: string) => {
      killedFor ??= why;
      child.kill("SIGKILL");
    };
    const timer = setTimeout(() => kill(`timed out after ${opts.timeoutMs ?? 900_000} ms`), opts.timeoutMs ?? 900_000);
    const onAbort = () => kill("aborted");
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    const onLine = (line: string) => {
      const m = PROGRESS.exec(line);
      if (m && (EXPERIMENTS as readonly string[]).includes(m[1]!)) {
        opts.onProgress?.({ experiment: m[1] as Experiment, done: Number(m[2]), total: Number(m[3]) });
      } else if (line.startsWith("# warning")) {
        warnings.push(line.slice(2));
      } else if (line.trim() !== "") {
        errTail.push(line);
        if (errTail.length > 50) errTail.shift();
      }
    };
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d: string) => {
      const lines = (pending + d).split("\n");
      pending = lines.pop() ?? "";
      lines.forEach(onLine);
    });
    const done = () => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
    };
    child.on("error", (e) => {
      done();
      reject(new HarnessRunError(`cannot run ${built.harness}: ${e.message}`, null, ""));
    });
    child.on("close", (code, sig) => {
      done();
      if (pending !== "") onLine(pending);
      const stderr = errTail.join("\n");
      if (killedFor) reject(new HarnessRunError(`native harness ${killedFor}`, code, stderr));
      else if (code !== 0) reject(new HarnessRunError(`native harness failed (${sig ?? `exit ${code}`})`, code, stderr));
      else resolve({ stdout: Buffer.concat(out).toString("utf8"), warnings });
    });
  });
}

async function detectVirt(kind: "--vm" | "--container"): Promise<string | null> {
  const r = await run("systemd-detect-virt", [kind], 10_000);
  const v = r.stdout.trim();
  return r.missing || v === "" || v === "none" ? null : v;
}

export async function cpuInfo(): Promise<{ model: string; hypervisor: boolean }> {
  let text = "";
  try {
    text = await readFile("/proc/cpuinfo", "utf8");
  } catch {
    /* not Linux */
  }
  const model = /^(?:model name|Processor|cpu model)\s*:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? os.cpus()[0]?.model ?? "unknown";
  const flags = /^flags\s*:\s*(.*)$/m.exec(text)?.[1]?.split(/\s+/) ?? [];
  return { model, hypervisor: flags.includes("hypervisor") };
}

/** Busy and total jiffies summed over all CPUs (the "cpu" line of /proc/stat). */
async function cpuTimes(): Promise<{ busy: number; total: number } | null> {
  try {
    const line = (await readFile("/proc/stat", "utf8")).split("\n")[0] ?? "";
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    if (line.split(/\s+/)[0] !== "cpu" || v.length < 5 || v.some((x) => !Number.isFinite(x))) return null;
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - v[3]! - v[4]!, total };
  } catch {
    return null;
  }
}

/** Build (if needed) and run the harness, then write samples.csv and machine.json atomically. */
export async function measureHost(opts: MeasureOptions): Promise<MeasurementRun> {
  for (const e of opts.only ?? []) {
    if (!(EXPERIMENTS as readonly string[]).includes(e)) throw new Error(`unknown experiment "${e}" (known: ${EXPERIMENTS.join(", ")})`);
  }
  if (opts.trials !== undefined && !(Number.isInteger(opts.trials) && opts.trials >= 1)) {
    throw new Error(`trials must be a positive integer, got ${opts.trials}`);
  }
  const built = await buildHarness(opts.build);
  const args = ["--progress", "--hello", built.hello];
  if (opts.trials !== undefined) args.push("--trials", String(opts.trials));
  if (opts.only !== undefined && opts.only.length > 0) args.push("--only", opts.only.join(","));
  if (opts.detourSeconds !== undefined) args.push("--detour-seconds", String(opts.detourSeconds));
  if (opts.rounds !== undefined) args.push("--rounds", String(opts.rounds));
  const loadAverage = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const before = await cpuTimes();
  const t0 = performance.now();
  const { stdout, warnings } = await runHarness(built, args, opts);
  const wallSeconds = (performance.now() - t0) / 1000;
  const after = await cpuTimes();
  const busy = before && after && after.total > before.total ? (after.busy - before.busy) / (after.total - before.total) : null;
  const out = parseHarnessOutput(stdout, built.harness);
  const [cpu, vmType, containerType] = await Promise.all([cpuInfo(), detectVirt("--vm"), detectVirt("--container")]);
  const experiments = EXPERIMENTS.filter((e) => out.samples.some((s) => s.experiment === e));
  const machine: MachineInfo = decodeMachineInfo({
    schemaVersion: 1,
    cpuModel: cpu.model,
    cores: out.info.ncpu,
    onlineCpus: Math.max(1, os.cpus().length),
    arch: os.arch(),
    tscHz: out.info.tscHz,
    clockSource: out.info.clockSource,
    unit: out.info.clockSource === "rdtsc" ? "cycles" : "ns",
    tscInvariant: out.header["tsc_invariant"] === "1",
    tscOverhead: out.info.tscOverhead,
    kernel: os.release(),
    virtualMachine: cpu.hypervisor || vmType !== null,
    hypervisorFlag: cpu.hypervisor,
    vmType,
    containerType,
    date: new Date().toISOString(),
    harnessHash: built.hash,
    harnessVersion: out.info.harnessVersion,
    compiler: built.compiler,
    helloLink: built.helloLink,
    trials: out.info.trials,
    ...(out.header["rounds"] === undefined ? {} : { rounds: Number(out.header["rounds"]) }),
    ...(experiments.includes("detour") ? { detourSeconds: Number(out.header["detour_seconds"]), detourMinNs: Number(out.header["detour_min_ns"]) } : {}),
    experiments,
    wallSeconds: Math.round(wallSeconds * 1000) / 1000,
    loadAverage,
    cpuBusyFraction: busy === null ? null : Math.round(busy * 1000) / 1000,
  });
  await writeFileAtomic(path.join(opts.outDir, MEASUREMENT_FILES.samples), formatSamplesCsv(out.samples));
  await writeFileAtomic(path.join(opts.outDir, MEASUREMENT_FILES.machine), JSON.stringify(machine, null, 2) + "\n");
  return { dir: opts.outDir, machine, samples: out.samples, warnings };
}
