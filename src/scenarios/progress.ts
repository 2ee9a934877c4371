/**
 * Progress on stderr, three ways:
 *   - a terminal: a bar with rate and ETA, redrawn in place at most ~10×/s;
 *   - not a terminal (logs, CI, batch jobs): one plain line every PLAIN_INTERVAL_MS and at the end;
 *   - `--progress json`: JSON Lines, {"event":"phase",...} and {"event":"progress",...}.
 * Phases ("running", "writing report") are announced so a long report write is not silence.
 * `--quiet` silences the first two; an explicit `--progress json` is always written.
 */
export type ProgressFormat = "auto" | "json";

export interface ProgressOptions {
  readonly quiet: boolean;
  readonly format?: ProgressFormat;
  readonly label?: string;
  /** For tests; default process.stderr. */
  readonly stream?: Pick<NodeJS.WriteStream, "write" | "isTTY" | "columns">;
  readonly plainIntervalMs?: number;
}

export interface Progress {
  tick(n?: number): void;
  done(): void;
}

const NOOP: Progress = { tick() {}, done() {} };
const PLAIN_INTERVAL_MS = 10_000;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

function rates(done: number, total: number, elapsedMs: number) {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  return { rate, eta: rate > 0 ? (total - done) / rate : Infinity };
}

export function progressLine(done: number, total: number, elapsedMs: number, width = 30): string {
  const frac = total === 0 ? 1 : done / total;
  const filled = Math.round(frac * width);
  const { rate, eta } = rates(done, total, elapsedMs);
  const pct = `${Math.floor(frac * 100)}`.padStart(3);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${pct}% ${done}/${total} runs  ${rate.toFixed(1)} runs/s  ETA ${duration(eta)}`;
}

/** The non-terminal line: no bar, no carriage return. */
export function plainProgressLine(done: number, total: number, elapsedMs: number): string {
  const { rate, eta } = rates(done, total, elapsedMs);
  const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
  return `progress: ${done}/${total} runs (${pct}%), ${rate.toFixed(1)} runs/s, ETA ${duration(eta)}`;
}

type Mode = "none" | "bar" | "plain" | "json";

function modeOf(o: ProgressOptions): Mode {
  if (o.format === "json") return "json";
  if (o.quiet) return "none";
  return (o.stream ?? process.stderr).isTTY ? "bar" : "plain";
}

/** Announces a phase of the command ("running", "writing report"). */
export function announcePhase(phase: string, o: ProgressOptions, extra: Record<string, number> = {}): void {
  const stream = o.stream ?? process.stderr;
  const mode = modeOf(o);
  if (mode === "json") stream.write(JSON.stringify({ event: "phase", phase, ...extra }) + "\n");
  else if (mode !== "none") stream.write(`${phase}${extra.total !== undefined ? ` (${extra.total} runs)` : ""}…\n`);
}

export function makeProgress(total: number, options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const mode = modeOf(options);
  if (mode === "none" || total === 0) return NOOP;
  const start = Date.now();
  const interval = mode === "plain" ? options.plainIntervalMs ?? PLAIN_INTERVAL_MS : mode === "json" ? 200 : 100;
  let done = 0;
  let last = start;
  const prefix = options.label ? options.label + " " : "";
  const draw = () => {
    const elapsed = Date.now() - start;
    if (mode === "json") {
      const { eta } = rates(done, total, elapsed);
      stream.write(JSON.stringify({ event: "progress", done, total, elapsedMs: elapsed, ...(Number.isFinite(eta) ? { etaMs: Math.round(eta * 1000) } : {}) }) + "\n");
    } else if (mode === "plain") {
      stream.write(`${prefix}${plainProgressLine(done, total, elapsed)}\n`);
    } else {
      const text = `${prefix}${progressLine(done, total, elapsed)}`;
      stream.write(`\r${text.slice(0, Math.max(20, (stream.columns || 100) - 1))}\x1b[K`);
    }
  };
  return {
    tick(n = 1) {
      done += n;
      const now = Date.now();
      if (now - last >= interval) {
        last = now;
        draw();
      }
    },
    done() {
      draw();
      if (mode === "bar") stream.write("\n");
    },
  };
}
