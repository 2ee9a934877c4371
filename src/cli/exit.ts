/**
 * Exit codes and error printing: 0 success, 1 invalid input (scenario files, parameters),
 * 2 usage (flags/arguments, scheduler variables, a wrong path), 3 internal failure (a bug, or
 * the system: disk full, read-only), 4 some runs of a sweep failed (every output was still written;
 * `--allow-failures` makes that 0).
 */
import { Cause, Exit } from "effect";
import { CliError } from "effect/cli";
import { InputError, UsageError } from "../scenarios/problems.js";

const EXIT_OK = 0;
const EXIT_INVALID_INPUT = 1;
const EXIT_USAGE = 2;
const EXIT_INTERNAL = 3;
const EXIT_RUNS_FAILED = 4;

/** A sweep finished and wrote its outputs, but some runs failed (see failures.csv). */
export class RunsFailedError extends Error {
  override readonly name = "RunsFailedError";
  constructor(readonly failed: number) {
    super(`${failed} run${failed === 1 ? "" : "s"} failed (exit status ${EXIT_RUNS_FAILED}; --allow-failures makes it 0)`);
  }
}

/** Errors whose message is already meant for users (no stack trace). */
const FRIENDLY = new Set(["CompilerNotFoundError", "HarnessBuildError", "HarnessRunError", "MeasurementFormatError", "UnsafeCacheError"]);

const SYSTEM = new Set(["EACCES", "EPERM", "ENOSPC", "EDQUOT", "EROFS", "ENOTDIR", "EISDIR", "EEXIST", "ENOENT", "EMFILE"]);

function firstError(cause: Cause.Cause<unknown>): unknown {
  for (const reason of cause.reasons) {
    if (Cause.isFailReason(reason)) return reason.error;
    if (Cause.isDieReason(reason)) return reason.defect;
  }
  return undefined;
}

/** Prints what went wrong (usage errors were already printed by the parser) and picks the code. */
export function exitCodeOf(exit: Exit.Exit<unknown, unknown>, stderr: (text: string) => void): number {
  if (Exit.isSuccess(exit)) return EXIT_OK;
  if (Cause.hasInterruptsOnly(exit.cause)) return 130;
  const e = firstError(exit.cause);
  if (CliError.isCliError(e)) {
    // ShowHelp without errors is a bare command: help was printed, nothing was wrong.
    if (e._tag === "ShowHelp") return e.errors.length === 0 ? EXIT_OK : EXIT_USAGE;
    stderr(`error: ${e.message}\n`);
    return EXIT_USAGE;
  }
  if (e instanceof RunsFailedError) {
    stderr(`error: ${e.message}\n`);
    return EXIT_RUNS_FAILED;
  }
  if (e instanceof InputError) {
    stderr(e.message + "\n");
    return EXIT_INVALID_INPUT;
  }
  if (e instanceof UsageError) {
    stderr(`error: ${e.message}\n`);
    return EXIT_USAGE;
  }
  // File-system trouble (permissions, full disk, a file where a directory should be) is not a bug:
  // the message names the path (src/scenarios/atomic.ts fsError) and the user can fix it.
  if (e instanceof Error && typeof (e as NodeJS.ErrnoException).code === "string" && SYSTEM.has((e as NodeJS.ErrnoException).code!)) {
    stderr(`error: ${e.message}\n`);
    return EXIT_INVALID_INPUT;
  }
  if (e instanceof Error && FRIENDLY.has(e.name)) {
    stderr(`error: ${e.message}\n`);
    return EXIT_INTERNAL;
  }
  // A bug: say so, with the stack, because a user can only report it.
  stderr(`internal error (please report): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return EXIT_INTERNAL;
}
