/**
 * Bounds on parameter values and machine profiles beyond which nothing is a real machine: a typo
 * or a what-if that would only make runs spin (a cost of 1e300 cycles enumerates noise arrivals
 * up to that time). `validate` rejects values outside them (overrides.ts valueProblem, machine
 * files in machine-file.ts); each bound is far outside every built-in value.
 */
import type { Unit } from "./params.js";

/**
 * Clock rates a profile may have, in GHz. Built-in machines run at 1.1 to 2.1 GHz; outside this
 * range a time in ns is no whole number of cycles worth simulating (1e-300 GHz rounds every
 * period to 0 cycles) or is beyond MAX_COST_CYCLES.
 */
export const CLOCK_GHZ_MIN = 0.1;
export const CLOCK_GHZ_MAX = 10;

/**
 * The largest cost, in cycles: 1e10 (1 s at 10 GHz, 5 s at 2 GHz). The largest built-in time
 * entry is 50 ms (1e8 cycles at 2.1 GHz), so this leaves 100× room for what-ifs; it is ~9e5 times
 * below 2^53, so a run adding up even a million such costs keeps exact integer times. Times
 * in ns, us or ms are converted at CLOCK_GHZ_MAX, so the bound holds on every accepted machine.
 */
export const MAX_COST_CYCLES = 1e10;

/** Cycles per unit at CLOCK_GHZ_MAX (the conversion of MAX_COST_CYCLES into a time unit). */
const CYCLES_PER: Partial<Record<Unit, number>> = { cycles: 1, ns: CLOCK_GHZ_MAX, us: CLOCK_GHZ_MAX * 1e3, ms: CLOCK_GHZ_MAX * 1e6 };

/** The largest time in `unit` (a time unit) that validate accepts. */
export function maxTime(unit: Unit): number {
  return MAX_COST_CYCLES / (CYCLES_PER[unit] ?? 1);
}

/**
 * The largest rate (hz, per-second): a million arrivals per second, an arrival every 100 cycles
 * at CLOCK_GHZ_MIN. The built-in rates are at most ~3,000 per second (a host's daemons).
 */
export const MAX_RATE = 1e6;

/**
 * The lowest timer frequency (unit hz, the kernels' config.hz): 1 Hz, a period of at most
 * MAX_COST_CYCLES at CLOCK_GHZ_MAX. 0 is no timer at all, which the tick and idle code divide
 * by (Nautilus refuses it at run time); the era's kernels use 10 to 1000 Hz.
 */
export const MIN_TIMER_HZ = 1;

/**
 * The largest ratio: 1000. Ratios are cost factors (the Phi's inOrderFactor, 2.5) and the
 * interference replay's scale (1 built in); a factor of 1000 on the largest built-in cost
 * (1e8 cycles) reaches MAX_COST_CYCLES, so larger ones would only pass costs beyond it.
 */
export const MAX_RATIO = 1e3;

/** The largest count (bytes, pages, relocations: at most ~2e6 built in): 2^32. */
export const MAX_COUNT = 2 ** 32;

/**
 * The most CPUs a profile may have: 4096 (Linux's NR_CPUS on large x86 configurations is 8192;
 * the largest built-in machine has 256). Models keep per-CPU state and per-pair distances.
 */
export const MAX_CPUS = 4096;

/** The longest interference trace, in cycles: 1e13 (over an hour at 2 GHz; measured traces last seconds). */
export const MAX_TRACE_CYCLES = 1e13;

/**
 * Noise arrivals ahead of now one CPU may draw while answering one question about its future
 * (where a work segment ends, when it is free). Built-in runs draw at most ~100; a million means
 * a cost, rate or trace that leaves the CPU no time to work, which no event limit would stop
 * (cpu.ts fails the run, saying so). Arrivals up to now are not counted: they are bounded by
 * the time simulated (an idle CPU catches up on its ticks when next asked, ~62,000 at once in
 * the built-in sync-event runs).
 */
export const MAX_ARRIVALS_PER_QUERY = 1_000_000;
