#!/usr/bin/env bash
# Grading must work wherever the course is cloned, a private home folder
# included. This lays the course out as it is under /root: in a mount
# namespace of its own (nothing changes for the rest of the machine), the
# checkout's parent folder is replaced by an empty mode-700 tmpfs and the
# checkout is bound back at its own path, so the grading uid cannot enter the
# folder above the course.
#
#   grade_private_checkout.sh CLI WORK works    the solutions score full marks
#       (lessons 01, 02, 06 and 12: one of each kind the grader builds and
#       runs, a test binary, a server, both, and a quiz alone, without the
#       pre-flight, which grades the same lessons and is the broken case's
#       subject; the hostile grading test grades every lesson of the solutions
#       in the usual layout)
#   grade_private_checkout.sh CLI WORK broken   with the generated code closed
#       to other users as well, grade and grade-all stop with exit 2, say why,
#       and write no scores
#
# Needs root (mount namespaces); exits 77 (skipped) otherwise.
set -euo pipefail
cli="$(realpath "$1")" work="$2" mode="$3"
source_dir="$(cd "$(dirname "$0")/../.." && pwd -P)"
build_dir="$(cd "$(dirname "$cli")/.." && pwd -P)"

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: needs root to make a mount namespace (grading as an ordinary user uses no separate uid)"
  exit 77
fi
parent="$(dirname "$source_dir")"
case "$parent" in
  / | /tmp | /proc* | /dev*)
    echo "SKIP: the checkout's parent is $parent, which cannot be laid over here"
    exit 77
    ;;
esac
case "$work" in
  "$parent"/*) [[ "$work" == "$source_dir"/* ]] || { echo "the work folder must not lie beside the checkout"; exit 2; } ;;
esac
rm -rf "$work" && mkdir -p "$work"

if [ "${IN_PRIVATE_NAMESPACE:-}" != 1 ]; then
  export IN_PRIVATE_NAMESPACE=1
  exec unshare --mount --propagation private -- "$0" "$@"
fi

# Inside the namespace: hide the parent behind a mode-700 folder.
stage="$(mktemp -d /tmp/course-private-XXXXXX)"
mount --bind "$source_dir" "$stage"
mount -t tmpfs -o mode=700,size=1m tmpfs "$parent"
mkdir -p "$source_dir"
mount --bind "$stage" "$source_dir"
umount -l "$stage" && rmdir "$stage"
[ "$(stat -c %a "$parent")" = 700 ] || { echo "FAIL: could not lay out the private folder"; exit 1; }

failed=0
say() { echo "$1 $2"; [ "$1" = PASS ] || failed=1; }

if [ "$mode" = works ]; then
  set +e
  "$cli" grade "$source_dir/solutions" --no-preflight --lesson 01 --lesson 02 --lesson 06 --lesson 12 \
    --json "$work/solutions.json" >"$work/grade.log" 2>&1
  code=$?
  set -e
  tail -n 5 "$work/grade.log"
  score="$(/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["score"], r["max_score"])' "$work/solutions.json" 2>/dev/null || echo "none none")"
  read -r got top <<<"$score"
  [ "$code" = 0 ] && [ "$got" = "$top" ] && [ "$top" != none ] && [ "$top" -gt 0 ] \
    && say PASS "the solutions score full marks ($got/$top) from a checkout below a mode-700 folder" \
    || { say FAIL "the solutions score $got/$top (exit $code) from a checkout below a mode-700 folder"; grep -m 5 -i "error\|denied" "$work/grade.log" || true; }
else
  # A grader set-up that cannot work: the generated code is closed to the
  # grading uid (the grader itself, as root, still reads everything).
  mount -t tmpfs -o mode=700,size=1m tmpfs "$build_dir/proto/gen"
  set +e
  "$cli" grade "$source_dir/solutions" --lesson 02 --json "$work/broken.json" >"$work/grade.log" 2>&1
  code=$?
  mkdir -p "$work/class" && cp -r "$source_dir/solutions" "$work/class/alice"
  "$cli" grade-all "$work/class" --out "$work/graded" --lesson 02 >"$work/grade-all.log" 2>&1
  all_code=$?
  set -e
  cat "$work/grade.log"
  [ "$code" = 2 ] && say PASS "grade exits 2 when its own set-up cannot compile the course's solution" \
    || say FAIL "grade exits $code, not 2, when its own set-up cannot compile the course's solution"
  grep -q "cannot grade here" "$work/grade.log" && grep -q "solution of lesson" "$work/grade.log" \
    && grep -q "Permission denied" "$work/grade.log" \
    && say PASS "the message names the cause (the course's own solution, permission denied) and the fixes" \
    || say FAIL "the message does not name the cause"
  [ ! -e "$work/broken.json" ] && say PASS "grade wrote no scores" || say FAIL "grade wrote $work/broken.json"
  [ "$all_code" = 2 ] && [ ! -e "$work/graded/gradebook.csv" ] && [ ! -e "$work/graded/alice" ] \
    && say PASS "grade-all exits 2 before grading anyone, and writes no gradebook" \
    || say FAIL "grade-all exits $all_code; gradebook or reports written: $(ls "$work/graded" 2>/dev/null | tr '\n' ' ')"
fi
exit "$failed"
