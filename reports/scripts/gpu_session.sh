#!/bin/bash
# One GPU session of 2026-11-25 (evening): four jobs share one H100 at once, each in its own process session so that it
# outlives the device call that started it; a later call collects what they wrote.
#   call 2 (after the staging call of shared/gpu/stage-smollm2.sh):
#     bash .gpu/b/assemble.sh && export PYTHONPATH=/tmp/site:$PWD && bash reports/scripts/gpu_session.sh start 1100 && bash reports/scripts/gpu_session.sh collect 570
#   call 3, 4 (while the machine is warm): export PYTHONPATH=/tmp/site:$PWD && bash reports/scripts/gpu_session.sh collect 570
# start TOTAL: convert the model once, then launch trimmer_gpu.sh, mag_gpu.sh, phase0_gpu_fill.sh (plan fill2) and the STM
#   rerun (K = 64, 4, 8), each bounded by TOTAL seconds, results under /root/res/<job>.
# collect WAIT: wait until WAIT seconds into this call (or until every job is done), then pack /root/res into $OUT/res.tgz.
# Lesson of sessions 10, 15, 17 and 18 (each lost a run this way): the machine goes back 30 s after a call ends, and the time
# between two calls made one at a time (reading a result, deciding the next step) often passes 30 s. Send every call of a run
# (the staging calls, `start` + a first `collect`, further `collect`s) as several tool calls in ONE message: they run back to
# back, with a few seconds between them. Read the results only after the last one.
set -u
R=/root/res; M=/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf
export ICMOS_CACHE=/root/icmos-cache PYTHONUNBUFFERED=1
case "${1:-}" in
start)
  total=${2:-1100}; mkdir -p $R/trimmer $R/mag $R/phase0 $R/stm
  nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv,noheader
  python3 -c "from icmos.core import load_model, ICMOSConfig; load_model(ICMOSConfig(model='$M', device='cpu')); print('model converted')" || exit 3
  date -u +%s > $R/t0
  job() { local name=$1; shift; OMP_NUM_THREADS=2 setsid nohup "$@" > $R/$name.log 2>&1 < /dev/null & echo "started $name (pid $!)"; }
  job trimmer bash reports/scripts/trimmer_gpu.sh $total $R/trimmer $M
  job mag bash reports/scripts/mag_gpu.sh $total $R/mag $M
  job phase0 bash reports/scripts/phase0_gpu_fill.sh $total fill2 $R/phase0
  job stm timeout $total python3 -c 'import sys; from icmos.cli import main; sys.exit(main())' bench stm --model $M --device cuda \
    --dtype bfloat16 --K 64 4 8 --n 100 --steps 300 --restarts 2 --lr 0.03 --mitigations-K 0 --single-n 0 --stages 2 1 \
    --time-budget $(( total - 120 )) --out $R/stm --no-progress
  ;;
collect)
  wait_s=${2:-570}
  while [ $SECONDS -lt $wait_s ] && pgrep -f 'trimmer_gpu.sh|mag_gpu.sh|phase0_gpu_fill.sh|bench stm' > /dev/null; do sleep 5; done
  echo "elapsed since start: $(( $(date -u +%s) - $(cat $R/t0) ))s; running: $(pgrep -fc 'trimmer_gpu.sh|mag_gpu.sh|phase0_gpu_fill.sh|bench stm')"
  nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader
  for f in $R/*.log; do echo "--- $f"; tail -c 1500 $f | tr '\r' '\n' | grep -v '^\s*$' | tail -8; done
  tar -czf $OUT/res.tgz -C /root res && ls -la $OUT
  ;;
*) echo "usage: gpu_session.sh start TOTAL | collect WAIT" >&2; exit 2;;
esac
