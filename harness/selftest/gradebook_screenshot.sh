#!/bin/bash
# Renders a gradebook.html in headless Chromium and keeps the screenshot
# (WORK/gradebook.png), where Debian's chromium is installed; the course does
# not install it, so elsewhere this test skips (exit 77) and says so.
#   gradebook_screenshot.sh COURSE_CLI SOURCE WORK
set -uo pipefail
cli="$1" source="$2" work="$3"
browser="$(command -v chromium || command -v chromium-browser)" \
  || { echo "SKIP: no chromium here (apt-get install chromium to render gradebook.html)"; exit 77; }
/usr/bin/python3 "$source/harness/selftest/gradebook_test.py" html --cli "$cli" --work "$work" >/dev/null \
  || { echo "FAIL: could not make a gradebook to render"; exit 1; }
page="$work/hostile/gradebook.html"
# --no-sandbox: ctest may run as root, where Chromium's own sandbox refuses.
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --window-size=1200,1400 --screenshot="$work/gradebook.png" "file://$page" >"$work/chromium.log" 2>&1
size=$(stat -c %s "$work/gradebook.png" 2>/dev/null || echo 0)
if [ "$size" -lt 10000 ] || [ "$(head -c 8 "$work/gradebook.png" | od -An -tx1 | tr -d ' ')" != "89504e470d0a1a0a" ]; then
  tail -n 20 "$work/chromium.log"
  echo "FAIL: no screenshot of $page (got $size bytes)"
  exit 1
fi
echo "PASS: Chromium rendered $page to $work/gradebook.png ($size bytes)"
