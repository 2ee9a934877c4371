/**
 * Progress on stderr: runs done/total, rate and ETA, redrawn in place at most ~10×/s.
 * Silent when stderr is not a terminal (logs, CI, tests) or with --quiet.
 */
export interface Progress {
  tick(n?: number): void;
  done(): void;
}

const NOOP: Progress = { tick() {}, done() {} };

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

export function progressLine(done: number, total: number, elapsedMs: number, width = 30): string {
  const frac = total === 0 ? 1 : done / total;
  const filled = Math.round(frac * width);
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const eta = rate > 0 ? (total - done) / rate : Infinity;
  const pct = `${Math.floor(frac * 100)}`.padStart(3);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${pct}% ${done}/${total} runs  ${rate.toFixed(1)} runs/s  ETA ${duration(eta)}`;
}

export function makeProgress(total: number, options: { quiet: boolean; label?: string }): Progress {
  const stream = process.stderr;
  if (options.quiet || !stream.isTTY || total === 0) return NOOP;
  const start = Date.now();
  let done = 0;
  let last = 0;
  const draw = () => {
    const text = `${options.label ? options.label + " " : ""}${progressLine(done, total, Date.now() - start)}`;
    stream.write(`\r${text.slice(0, Math.max(20, (stream.columns || 100) - 1))}\x1b[K`);
  };
  return {
    tick(n = 1) {
      done += n;
      const now = Date.now();
      if (now - last >= 100 || done === total) {
        last = now;
        draw();
      }
    },
    done() {
      draw();
      stream.write("\n");
    },
  };
}
