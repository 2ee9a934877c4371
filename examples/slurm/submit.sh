#!/bin/bash
# Usage: SCENARIO=my-sweep.yaml ./examples/slurm/submit.sh
# Queues the shard array, then the merge once every array task has succeeded.
set -euo pipefail
here=$(dirname "$0")
array=$(sbatch --parsable --export=ALL "$here/sweep.sbatch")
sbatch --export=ALL --dependency="afterok:${array%%;*}" "$here/merge.sbatch"
