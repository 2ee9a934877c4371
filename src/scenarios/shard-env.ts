/**
 * `--shard auto`: the shard from the cluster scheduler's environment.
 *   Slurm job array:        SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT (and, when Slurm sets
 *                           them, SLURM_ARRAY_TASK_MIN / _STEP, so --array=1-8 and 0-7 both work);
 *   Kubernetes Indexed Job: JOB_COMPLETION_INDEX (0-based, set by Kubernetes) and
 *                           HRTSIM_SHARD_COUNT (set in the manifest to the Job's `completions`).
 * A missing or inconsistent variable is a UsageError naming it and its value.
 */
import type { Shard } from "./expand.js";
import { UsageError } from "./problems.js";

export const SHARD_COUNT_VARIABLE = "HRTSIM_SHARD_COUNT";

type Env = Readonly<Record<string, string | undefined>>;

function integer(env: Env, name: string, min: number): number {
  const text = env[name];
  if (text === undefined || text.trim() === "") throw new UsageError(`--shard auto: ${name} is not set`);
  const n = Number(text.trim());
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--shard auto: ${name} must be an integer ≥ ${min}, found "${text}"`);
  return n;
}

function checked(index0: number, count: number, what: string): Shard {
  if (index0 >= count) throw new UsageError(`--shard auto: ${what} gives shard ${index0 + 1} of ${count}; the index must be below the count`);
  return { index: index0 + 1, count };
}

function fromSlurm(env: Env): Shard {
  const id = integer(env, "SLURM_ARRAY_TASK_ID", 0);
  const count = integer(env, "SLURM_ARRAY_TASK_COUNT", 1);
  const min = env.SLURM_ARRAY_TASK_MIN === undefined ? 0 : integer(env, "SLURM_ARRAY_TASK_MIN", 0);
  const step = env.SLURM_ARRAY_TASK_STEP === undefined ? 1 : integer(env, "SLURM_ARRAY_TASK_STEP", 1);
  if (id < min || (id - min) % step !== 0) {
    throw new UsageError(`--shard auto: SLURM_ARRAY_TASK_ID=${id} is not in the array ${min}, ${min + step}, … (SLURM_ARRAY_TASK_MIN, _STEP)`);
  }
  return checked((id - min) / step, count, `SLURM_ARRAY_TASK_ID=${id} (min ${min}, step ${step}) with SLURM_ARRAY_TASK_COUNT=${count}`);
}

function fromKubernetes(env: Env): Shard {
  const index = integer(env, "JOB_COMPLETION_INDEX", 0);
  if (env[SHARD_COUNT_VARIABLE] === undefined) {
    throw new UsageError(`--shard auto: JOB_COMPLETION_INDEX is set but ${SHARD_COUNT_VARIABLE} is not; set it in the Job manifest to spec.completions`);
  }
  const count = integer(env, SHARD_COUNT_VARIABLE, 1);
  return checked(index, count, `JOB_COMPLETION_INDEX=${index} with ${SHARD_COUNT_VARIABLE}=${count}`);
}

export function shardFromEnvironment(env: Env): Shard {
  const slurm = env.SLURM_ARRAY_TASK_ID !== undefined || env.SLURM_ARRAY_TASK_COUNT !== undefined;
  const kubernetes = env.JOB_COMPLETION_INDEX !== undefined;
  if (slurm && kubernetes) {
    throw new UsageError("--shard auto: both Slurm (SLURM_ARRAY_TASK_*) and Kubernetes (JOB_COMPLETION_INDEX) variables are set; use --shard i/n");
  }
  if (slurm) return fromSlurm(env);
  if (kubernetes) return fromKubernetes(env);
  throw new UsageError(
    `--shard auto: no scheduler variables found; expected SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (Slurm job array) ` +
    `or JOB_COMPLETION_INDEX and ${SHARD_COUNT_VARIABLE} (Kubernetes Indexed Job), or give --shard i/n`,
  );
}
