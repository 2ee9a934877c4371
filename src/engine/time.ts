/**
 * Simulated time is an integer count of ticks (the models use CPU cycles). Keeping it integral
 * makes ordering exact and runs bit-reproducible on every machine.
 */
import { SimulationInputError } from "./errors.js";

export const MAX_TIME = Number.MAX_SAFE_INTEGER;

/** Throws unless `delay` is a non-negative integer that keeps `now + delay` exact. */
export function checkDelay(delay: unknown, now: number, who: string): asserts delay is number {
  if (typeof delay !== "number" || !Number.isInteger(delay) || delay < 0) {
    throw new SimulationInputError(
      `${who}: delay must be a non-negative integer number of ticks, got ${describe(delay)}`,
    );
  }
  if (delay > MAX_TIME - now) {
    throw new SimulationInputError(
      `${who}: delay ${delay} at t=${now} passes the largest exact time (${MAX_TIME})`,
    );
  }
}

export function checkPriority(priority: unknown, who: string): asserts priority is number {
  if (typeof priority !== "number" || !Number.isInteger(priority) || priority < 0 || priority > 255) {
    throw new SimulationInputError(`${who}: priority must be an integer in 0..255, got ${describe(priority)}`);
  }
}

function describe(v: unknown): string {
  return typeof v === "number" ? String(v) : `${typeof v} ${JSON.stringify(v) ?? String(v)}`;
}
