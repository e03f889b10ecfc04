#!/bin/bash
# Grades a class on Slurm: a job array of N shards, then the merge.
#   slurm-submit.sh N [--wait]
# with COURSE_CLI, SUBMISSIONS, GRADED (and GRADE_ARGS) in the environment
# (see slurm-grade-array.sbatch). Prints the two job ids. With --wait, waits
# for the merge and exits with its status (0: $GRADED/merged/gradebook.csv
# is the whole class; 2: a shard is missing, named in the merge's log).
# Logs: $GRADED/logs/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
shards="${1:?usage: slurm-submit.sh N [--wait]}"
wait_flag=()
[ "${2:-}" = "--wait" ] && wait_flag=(--wait)
: "${COURSE_CLI:?}" "${SUBMISSIONS:?}" "${GRADED:?}"
mkdir -p "$GRADED/logs"

array=$(sbatch --parsable --array="0-$((shards - 1))" --export="ALL,SHARDS=$shards" \
  --output="$GRADED/logs/shard-%a.log" "$here/slurm-grade-array.sbatch")
echo "array job $array: $shards shards"
merge=$(sbatch --parsable "${wait_flag[@]}" --dependency="afterany:$array" --export=ALL \
  --output="$GRADED/logs/merge.log" "$here/slurm-merge.sbatch") || {
  status=$?
  echo "merge job failed (exit $status); see $GRADED/logs/merge.log" >&2
  exit "$status"
}
echo "merge job $merge: $GRADED/merged/gradebook.csv"
