#!/usr/bin/env bash
# One broken exercise must not block the rest. In a mount namespace of its
# own (nothing changes for the rest of the machine), this lays a copy of
# exercises/ over the real one, in which lesson 03 has a syntax error and
# lesson 02 an unused variable, and a copy-on-write view (overlayfs) over the
# build folder, so the builds it causes never touch the real one. Then:
#   ./course status        shows every lesson (it used to stop at "build failed")
#   ./course hint 02, ./course quiz 02   answer
#   ./course check 02      builds lesson 02 alone, shows the unused variable as a
#                          warning, and runs the checks (the stub fails them)
#   ./course check 03      says the lesson does not build (the copy is broken)
#
#   broken_exercise_test.sh SOURCE BUILD
# Needs root (mount namespaces, overlayfs); exits 77 (skipped) otherwise.
set -euo pipefail
source_dir="$(cd "$1" && pwd -P)" build_dir="$(cd "$2" && pwd -P)"

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: needs root for a mount namespace and overlayfs"
  exit 77
fi
if [ "$build_dir" != "$source_dir/build" ]; then
  echo "SKIP: ./course builds in $source_dir/build, and this build is $build_dir"
  exit 77
fi
if [ "${IN_BROKEN_NAMESPACE:-}" != 1 ]; then
  export IN_BROKEN_NAMESPACE=1
  exec unshare --mount --propagation private -- "$0" "$@"
fi

work="$(mktemp -d /tmp/course-broken-XXXXXX)"
trap 'umount -l "$source_dir/exercises" "$build_dir" "$source_dir/.course" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work"/{upper,overlay-work,state} "$source_dir/.course"
cp -r "$source_dir/exercises" "$work/exercises"
echo "this is not C++" >>"$work/exercises/03-server-streaming/user_service.cc"
sed -i 's|^    (void)request;$|    int unused_in_lesson_02 = 0;\n    (void)request;|' \
  "$work/exercises/02-unary/user_service.cc"
grep -q unused_in_lesson_02 "$work/exercises/02-unary/user_service.cc" \
  || { echo "FAIL: could not plant the unused variable"; exit 1; }
if ! mount -t overlay overlay \
  -o "lowerdir=$build_dir,upperdir=$work/upper,workdir=$work/overlay-work" "$build_dir"; then
  echo "SKIP: overlayfs is not available here"
  exit 77
fi
mount --bind "$work/exercises" "$source_dir/exercises"
mount -t tmpfs -o size=1m tmpfs "$source_dir/.course"  # hint records state

failed=0
expect() {  # expect NAME WANTED_CODE PATTERN... -- COMMAND...
  local name="$1" want="$2" code=0 pattern
  shift 2
  local patterns=()
  while [ "$1" != -- ]; do patterns+=("$1"); shift; done
  shift
  out="$("$@" 2>&1)" || code=$?
  for pattern in "${patterns[@]}"; do
    if ! grep -qE -- "$pattern" <<<"$out"; then
      echo "FAIL $name: no line matches '$pattern' (exit $code):"
      tail -n 30 <<<"$out"
      failed=1
      return
    fi
  done
  if [ "$code" != "$want" ]; then
    echo "FAIL $name: exit $code, want $want"; tail -n 30 <<<"$out"; failed=1; return
  fi
  echo "PASS $name"
}

cd "$source_dir"
expect "status works while 03 does not compile" 0 "02  Unary RPC" "03  Server streaming" \
  -- ./course status
expect "hint works" 0 "hint 1/" -- ./course hint 02
expect "quiz works" 1 "question 1" -- ./course quiz 02
expect "check 02 builds lesson 02 alone and runs its checks" 1 \
  "compiler warnings" "unused variable .unused_in_lesson_02." "FAIL task 1" "TODO\(task 1\)" \
  -- ./course check 02 --no-state
expect "check 03 says its exercise does not build" 2 "does not build" "user_service.cc" \
  -- ./course check 03 --no-state
exit "$failed"
