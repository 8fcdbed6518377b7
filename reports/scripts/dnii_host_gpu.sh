#!/bin/bash
# Issue 18 at 1M on a GPU host's CPU cores (16 on the one-H200 machine): DNII against faiss HNSW (efConstruction 40 and 200)
# and faiss IVF, static and streaming (10% deletes), on the hard set and the drifting clusters, one process per dataset run
# one after the other so that each has every core. The GPU is not used: this is the many-core CPU the 2-core development
# machine lacks (its numbers: reports/results/dnii_v2_cpu.csv). No faiss on the device: carry its wheel.
#   here:  mkdir -p .gpu/faiss && cp /opt/pypi/files/faiss_cpu-1.15.1-*.whl .gpu/faiss/      (19 MB; then carry [.gpu/faiss])
#   there: bash reports/scripts/dnii_host_gpu.sh start     # in its own session (outlives the call); results in $R
#          bash reports/scripts/dnii_host_gpu.sh collect WAIT   # wait up to WAIT s, pack $R into $OUT/dnii_host.tgz
# Env: R (/root/dnii), N (1000000), INDEXES (hnsw,ivf,dnii: run in this order; the time budget skips what is left), WL (static,streaming), NPROBE (4,8,16,32,64), TH (threads: all cores),
# EFC (HNSW efConstruction values, 40,200), SEARCH_TH (e.g. 2,4,16: build with TH threads, then search each setting with each count in turn), DELAY (seconds to wait first), DATASETS ('hard synthetic'), BUDGET (seconds per dataset run, 900),
# PY (python3). CPU check: N=20000 TH=2 BUDGET=60 DATASETS=hard R=/tmp/dnh PY=.venv/bin/python bash reports/scripts/dnii_host_gpu.sh start
set -u
R=${R:-/root/dnii}; N=${N:-1000000}; TH=${TH:-$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)}; BUDGET=${BUDGET:-900}; PY=${PY:-python3}
case "${1:-}" in
start)
  [ -n "${DELAY:-}" ] && echo "(the run starts after ${DELAY}s)"
  rm -rf "$R" && mkdir -p "$R" && cp -r icmos "$R/" && git rev-parse HEAD > "$R/commit.txt" 2>/dev/null
  $PY -c 'import faiss' 2> /dev/null || $PY -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpu/faiss/*.whl || exit 3
  cat > "$R/run.sh" <<RUN
export PYTHONPATH=/tmp/site:$R OMP_NUM_THREADS=$TH PYTHONUNBUFFERED=1
cd $R; sleep ${DELAY:-0}
# plain nproc prints OMP_NUM_THREADS when it is set: log the machine's cores and the threads apart
echo "cores: \$(getconf _NPROCESSORS_ONLN) online, \$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc) usable by this process; threads (OMP_NUM_THREADS): \$OMP_NUM_THREADS"; date -u
for ds in ${DATASETS:-hard synthetic}; do
  echo "=== \$(date -u +%T) \$ds"
  timeout $(( BUDGET + 300 )) $PY -c 'import sys; from icmos.cli import main; sys.exit(main())' bench dnii --n $N --d 256 --datasets \$ds \\
    --workloads ${WL:-static,streaming} --indexes ${INDEXES:-hnsw,ivf,dnii} --efc ${EFC:-40,200} --queries 1000 --latency-queries 200 --ef 16,32,64,128,256 \\
    --ivf-nprobe 8,16,32,64,128 --nprobe ${NPROBE:-4,8,16,32,64} --threads $TH ${SEARCH_TH:+--search-threads $SEARCH_TH} --list-size 256 --budget-s $BUDGET --clusters-out= \\
    --out $R/dnii_\$ds.csv; rc=\$?
  echo "=== \$(date -u +%T) \$ds exit \$rc"
done
date -u > $R/DONE
RUN
  setsid nohup bash "$R/run.sh" > "$R/run.log" 2>&1 < /dev/null & echo "started (pid $!): log $R/run.log"
  ;;
collect)
  # a machine given back since `start` (a gap of more than ~30 s between device calls) has no $R: say so at once, do not wait
  # for a run that is not there (session 17 waited 420 s of device time so)
  [ -d "$R" ] || { echo "collect: no $R on this machine: it is not the one that ran start (given back and started afresh?)" >&2; exit 4; }
  while [ $SECONDS -lt "${2:-540}" ] && [ ! -f "$R/DONE" ]; do sleep 5; done
  [ -f "$R/DONE" ] && echo "done" || echo "still running (collected what is written)"
  grep -E '===|Error|Traceback' "$R/run.log" | tail -n 20
  tar -czf "${OUT:?}/dnii_host.tgz" -C "$(dirname "$R")" --exclude=icmos "$(basename "$R")" && ls -la "$OUT"
  ;;
*) echo "usage: dnii_host_gpu.sh start | collect WAIT" >&2; exit 2;;
esac
