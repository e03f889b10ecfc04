#!/usr/bin/env bash
# lessons-lint fails where it should: on a copy of the course whose lesson 01
# shows code in its first hint and whose quiz keys all answer `a`, it exits 1
# and names both problems (the real course passes: lessons.manifest_agrees_with_folders).
#   lessons_lint_fails.sh CLI SOURCE
set -euo pipefail
cli="$1" source_dir="$2"
work="$(mktemp -d /tmp/course-lint-XXXXXX)"
trap 'rm -rf "$work"' EXIT
cp -r "$source_dir/lessons" "$source_dir/solutions" "$work/"
ln -s "$source_dir/exercises" "$work/exercises"
sed -i '0,/"The generated class does the real work/s//"`int x = 1;` The generated class does the real work/' \
  "$work/lessons/manifest.json"
sed -i 's/^\([0-9]*\): [a-d]$/\1: a/' "$work"/solutions/*/quiz.txt
code=0
out="$("$cli" lessons-lint --source "$work" 2>&1)" || code=$?
echo "$out"
[ "$code" = 1 ] || { echo "FAIL: exit $code, want 1"; exit 1; }
for want in "01-protobuf: hint 1 shows code" "a answers [0-9]+ of [0-9]+ quiz questions" \
  "no quiz question is answered b"; do
  grep -qE "$want" <<<"$out" || { echo "FAIL: no line matches '$want'"; exit 1; }
done
echo "PASS: lessons-lint flags code in an early hint and a lopsided answer key"
