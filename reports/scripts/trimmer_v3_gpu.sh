#!/bin/bash
# Issue 16 (Trimmer v3) on a GPU host, one process per (GPU, shard), each in its own session so that it outlives the call:
#   bash reports/scripts/trimmer_v3_gpu.sh bench TOTAL [CKPT]   # the shipped (or CKPT) scorer with and without structure vs the presses
#   bash reports/scripts/trimmer_v3_gpu.sh train TOTAL W        # train a structured scorer (sinks 4, window W) from the shipped one, batch 16
#   bash reports/scripts/trimmer_v3_gpu.sh collect WAIT         # wait for the jobs (WAIT s into this call), pack $R into $OUT/trim.tgz
# After the staging calls of ../shared/gpu/stage-smollm2.sh, carry [.gpuw] (the KJV filler's wheel). A shard writes its rows when
# all its samples are done (per task and length), so size N/P to end well within the call: a shard cut by its timeout keeps
# nothing (the first try of 2026-11-27, 6 shards of 5 samples x 12 policy-ratios in 140 s, wrote no row).
# Env: R (results, /root/trim), M (model), N (samples per cell, 30), LEN (4K), RATIOS (0.75,0.875), TASKS, P (shards per GPU, 2),
#   WINDOWS (structures benched, 0.125,0.25,0.5), DEV/DT (a CPU dry run: DEV=cpu N=1 LEN=1100 TASKS=niah_single).
set -u
R=${R:-/root/trim}; M=${M:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}; DEV=${DEV:-cuda}; DT=${DT:-bfloat16}
N=${N:-30}; LEN=${LEN:-4K}; RATIOS=${RATIOS:-0.75,0.875}; TASKS=${TASKS:-niah_single,niah_multikey,blockfacts,prose_needle,ppl}
P=${P:-2}; WINDOWS=${WINDOWS:-0.125,0.25,0.5}
export ICMOS_CACHE=${ICMOS_CACHE:-/root/icmos-cache} PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TQDM_DISABLE=1 PYTHONPATH=/tmp/site:$PWD
NG=$(nvidia-smi -L 2>/dev/null | wc -l); [ "$NG" -ge 1 ] || NG=1
ICM="python3 -c 'import sys; from icmos.cli import main; sys.exit(main())'"  # the CLI without an installed entry point (timeout runs it)
job() { local name=$1 g=$2; shift 2; CUDA_VISIBLE_DEVICES=$g OMP_NUM_THREADS=2 setsid nohup bash -c "$*" > $R/$name.log 2>&1 < /dev/null &
        echo "started $name on GPU $g"; }
mkdir -p $R
[ -d .gpuw ] && [ ! -f /tmp/site/.gpuw_done ] && python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpuw/*.whl && touch /tmp/site/.gpuw_done
case "${1:-}" in
bench)
  total=${2:-1500}; ck=${3:-}; [ -n "$ck" ] && ck="--checkpoint $ck"
  pols="streaming,snapkv,tova,expected_attention,trimmer"
  for w in ${WINDOWS//,/ }; do pols="$pols,trimmer[sinks=4;window=$w]"; done
  IFS=, read -ra tasks <<< "$TASKS"; s=0
  for t in "${tasks[@]}"; do  # each task split into P seed ranges, the shards spread over the GPUs
    for p in $(seq 0 $(( P - 1 ))); do
      n=$(( (N + P - 1) / P )); job "b_${t}_$p" $(( s % NG )) "timeout $total $ICM bench trimmer --model $M --device $DEV --dtype $DT --no-progress $ck \
        --policies '$pols' --tasks $t --lengths $LEN --ratios $RATIOS --n $n --seed $(( p * n )) --kept-out '' --max-new-tokens 48 --out $R/bench_${t}_$p.csv"
      s=$(( s + 1 ))
    done
  done
  ;;
train)
  total=${2:-1500}; w=${3:-0.25}
  job "train_w$w" 0 "timeout $total $ICM train trimmer --model $M --device $DEV --dtype $DT --init data/trimmer-smollm2 --sinks 4 --window $w --batch 16 \
    --steps 100000 --time-limit $(( total - 60 )) --lengths 2048,4096 --out $R/ckpt_w$w --curve $R/train_w$w.csv --log-every 20"
  ;;
collect)
  wait_s=${2:-570}
  while [ $SECONDS -lt $wait_s ] && pgrep -f "[b]ench trimmer|[t]rain trimmer" > /dev/null; do sleep 5; done
  echo "running: $(pgrep -fc '[b]ench trimmer|[t]rain trimmer')"
  for f in $R/*.log; do echo "--- $f"; tail -c 600 $f | tr '\r' '\n' | grep -v '^\s*$' | tail -3; done
  tar -czf ${OUT:?}/trim.tgz -C $(dirname $R) $(basename $R) && ls -la $OUT
  ;;
*) echo "usage: trimmer_v3_gpu.sh bench TOTAL [CKPT] | train TOTAL W | collect WAIT" >&2; exit 2;;
esac
