#!/bin/bash
# Grades a handful of submissions as a Slurm job array on a one-node Slurm
# this test starts (munged, slurmctld, slurmd from Debian's munge and
# slurm-wlm, everything under WORK, on free ports), merges the shards with
# docs/cluster/slurm-submit.sh, and checks that the merged gradebook has the
# same scores and statuses as `grade-all` on this machine. Then checks that
# the merge refuses a missing and a duplicated shard.
#   slurm_grade_test.sh COURSE_CLI SOURCE WORK
# Exit 0 pass, 1 fail, 77 skipped (says why).
set -uo pipefail

cli="$1" source="$2" work="$3"
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "a private Slurm needs root (slurmd runs jobs as their user)"
for tool in munged slurmctld slurmd sbatch scontrol squeue scancel; do
  command -v "$tool" >/dev/null || skip "no $tool: install Debian's slurm-wlm and munge (the course script does)"
done

rm -rf "$work"
mkdir -p "$work"/{munge,state,spool,subs}
chmod 700 "$work/munge"
pids=()
cleanup() {
  # Jobs first (they belong to this private cluster alone), then the daemons
  # this test started, by pid.
  if [ -n "${SLURM_CONF:-}" ] && [ ${#pids[@]} -gt 1 ]; then
    for job in $(timeout 10 squeue -h -o %A 2>/dev/null); do timeout 10 scancel "$job"; done
  fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do timeout 10 tail --pid="$pid" -f /dev/null; done
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# munge: a fresh key and socket under WORK.
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
munged --foreground --force --key-file="$work/munge/munge.key" \
  --socket="$work/munge/munge.socket" --pid-file="$work/munge/munged.pid" \
  --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed" \
  >"$work/munged.out" 2>&1 &
pids+=($!)

host="$(hostname -s)"
export SLURM_CONF="$work/slurm.conf"
cat >"$SLURM_CONF" <<CONF
ClusterName=coursetest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/munge.socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/linear
MpiDefault=none
ReturnToService=2
MailProg=/bin/true
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=grade Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

slurmctld -D -c -f "$SLURM_CONF" >"$work/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -N "$host" -f "$SLURM_CONF" >"$work/slurmd.out" 2>&1 &
pids+=($!)
# The controller answers within seconds; a bounded wait for it, not a sleep.
up=0
for _ in $(seq 1 60); do
  if timeout 5 scontrol ping 2>/dev/null | grep -q "is UP"; then up=1; break; fi
  sleep 0.5
done
if [ "$up" -ne 1 ]; then
  tail -n 20 "$work"/*.out 2>/dev/null
  skip "the private slurmctld did not come up (log above): this host cannot run Slurm"
fi
echo "one-node Slurm up: controller on $host, config $SLURM_CONF"

# The submissions: the course's solutions and stubs, and two hostile ones.
cp -r "$source/solutions" "$work/subs/solutions"
cp -r "$source/exercises" "$work/subs/stubs"
for name in does-not-compile crashes-at-start; do
  cp -r "$source/harness/selftest/submissions/$name" "$work/subs/$name"
done
# Lesson 12 (a quiz: no compile, no pre-flight) keeps ctest quick; give
# COURSE_SLURM_TEST_LESSONS="02 12" to compile and run servers in the shards too.
lessons=()
for lesson in ${COURSE_SLURM_TEST_LESSONS:-12}; do lessons+=(--lesson "$lesson"); done

echo "== grade-all on this machine"
timeout 900 "$cli" grade-all "$work/subs" -j 2 --out "$work/single" "${lessons[@]}" \
  || fail "grade-all on one machine exited $?"

echo "== the same class as a Slurm array of 2 shards, then the merge"
export COURSE_CLI="$cli" SUBMISSIONS="$work/subs" GRADED="$work/cluster"
export GRADE_ARGS="${lessons[*]}"
timeout 900 "$source/docs/cluster/slurm-submit.sh" 2 --wait
status=$?
for log in "$GRADED"/logs/*.log; do echo "--- $log"; tail -n 5 "$log"; done
[ "$status" -eq 0 ] || fail "the Slurm array and merge exited $status"

/usr/bin/python3 - "$work/single/gradebook.json" "$GRADED/merged/gradebook.json" <<'PY' || exit 1
import json, sys
single, merged = (json.load(open(p)) for p in sys.argv[1:3])
def verdicts(book):
    return {r["submission"]: (r["score"], r["complete"], r["statuses"],
                              [(t["lesson"], t["n"], t["status"]) for t in r["tasks"]])
            for r in book["submissions"]}
a, b = verdicts(single), verdicts(merged)
ok = a == b and len(a) == 4
print(("PASS" if ok else "FAIL") + f": merged gradebook matches one machine's ({len(b)} submissions)")
for name in sorted(set(a) | set(b)):
    print(f"  {name}: one machine {a.get(name, '-')[:2]}, Slurm {b.get(name, '-')[:2]}")
shards = sorted(s["index"] for s in merged.get("merged_from", []))
ok = ok and shards == [0, 1] and a["solutions"][0] > 0 and a["stubs"][0] == 0
print(("PASS" if shards == [0, 1] else "FAIL") + f": merged from shards {shards}")
sys.exit(0 if ok else 1)
PY

/usr/bin/python3 "$source/harness/selftest/gradebook_test.py" check "$GRADED/merged" \
  || fail "the merged gradebook.html does not match its gradebook.json"

echo "== the merge refuses a missing and a duplicated shard"
out=$("$cli" gradebook merge "$GRADED/shard-0" --out "$work/bad" 2>&1)
[ $? -eq 2 ] && grep -q "missing shard 1/2" <<<"$out" || fail "a missing shard: exit 2 naming it (got: $out)"
out=$("$cli" gradebook merge "$GRADED/shard-0" "$GRADED/shard-1" "$GRADED/shard-1" --out "$work/bad" 2>&1)
[ $? -eq 2 ] && grep -q "shard 1/2 is given twice" <<<"$out" || fail "a duplicated shard: exit 2 naming it (got: $out)"
[ ! -e "$work/bad/gradebook.csv" ] || fail "a refused merge wrote a gradebook"
echo "PASS: the merge names a missing and a duplicated shard, exits 2, writes nothing"
