#!/bin/bash
# Issue 12's open targets at scale and issue 13's decode compile settings, on one multi-GPU host (session of
# 2026-11-27 afternoon; works on one GPU too, only slower). Jobs run in their own process sessions so that they outlive
# the device call that started them; a later call collects what they wrote.
#   staging: the two calls of ../shared/gpu/stage-smollm2.sh; here: .ab/e858bec = `git archive e858bec icmos data`
#   call 3: carry [.emb, .gpuw, .ab]  bash reports/scripts/targets_gpu.sh start 1300 && bash reports/scripts/targets_gpu.sh collect 560
#   call 4+: bash reports/scripts/targets_gpu.sh collect 570
# Phase 1 (GPU 0 alone, others idle but for the decode job on the last GPU, one CPU core): the write path at 1M in
#   rounds old (e858bec) / new / old / new, N_AB samples each: icmos in one process (workers=0), with worker processes
#   (workers=auto) and with an exact scan (index=flat); old: icmos and icmos[index=flat].
# Phase 2 (every GPU, P processes each): niah_single at 10M (n >= 100 over all shards, distinct seeds) and
#   niah_multivalue at 1M (N_MV per GPU but the last: n = 75 on 4 GPUs), icmos only; every sample is in the shard's JSONL as soon as it is answered.
# Decode (`decode`, run after phase 2 in this session, DEC=0): decode_variants.py at 8K, three settings at once, each alone
#   on its GPU with its own baselines: split-K 32 bmm, split-K 32 sum, max-autotune-no-cudagraphs + coordinate descent.
#   (In the run of this session the driver started them beside phase 1 without --model: they failed at model load.)
set -u
R=${R:-/root/res}; M=${M:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}; DEV=${DEV:-cuda}; DT=${DT:-bfloat16}
export ICMOS_CACHE=${ICMOS_CACHE:-/root/icmos-cache} PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 JAX_PLATFORMS=cpu TQDM_DISABLE=1
N_AB=${N_AB:-2}; L_AB=${L_AB:-1M}; P=${P:-6}; N_SHARD=${N_SHARD:-5}; L_BIG=${L_BIG:-10M}; N_MV=${N_MV:-25}; DEC=${DEC:-0}
export M DEV DT
NG=$(nvidia-smi -L 2>/dev/null | wc -l); [ "$NG" -ge 1 ] || NG=1
bench() { python3 -c 'import sys; from icmos.cli import main; sys.exit(main())' bench runtime --model $M --device $DEV --dtype $DT \
            --max-new-tokens 40 --budget 2048 --no-progress "$@"; }
case "${1:-}" in
start)
  total=${2:-1300}; mkdir -p $R
  if [ -d .emb/minilm ]; then mkdir -p /root/emb && cp -r .emb/minilm/. /root/emb/; fi
  if [ -d .gpuw ] && [ ! -f /tmp/site/.gpuw_done ]; then python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpuw/*.whl && touch /tmp/site/.gpuw_done; fi
  nproc; nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv,noheader
  PYTHONPATH=/tmp/site:$PWD python3 -c "from icmos.core import load_model, ICMOSConfig; load_model(ICMOSConfig(model='$M', device='cpu')); print('model converted')" || exit 3
  date -u +%s > $R/t0
  setsid nohup bash $0 run $total > $R/driver.log 2>&1 < /dev/null & echo "driver pid $!"
  ;;
run)  # the driver: phase 1, then phase 2; decode beside both
  total=$2; end=$(( $(cat $R/t0) + total )); [ -d /root/emb ] && export ICMOS_EMBEDDER=/root/emb
  left() { echo $(( end - $(date -u +%s) )); }
  [ "$DEC" = 1 ] && bash $0 decode
  mkdir -p $R/ab
  for round in 1 2; do
    echo "ab round $round old $(date -u +%T)"
    CUDA_VISIBLE_DEVICES=0 PYTHONPATH=/tmp/site:$PWD/.ab/e858bec timeout $(left) bash -c "$(declare -f bench); bench --methods 'icmos,icmos[index=flat]' \
      --tasks niah_single --lengths $L_AB --n $N_AB --seed $(( 300 + 10 * round )) --out $R/ab/old$round.csv --samples-out $R/ab/old$round.jsonl" > $R/ab/old$round.log 2>&1
    echo "ab round $round new $(date -u +%T)"
    CUDA_VISIBLE_DEVICES=0 PYTHONPATH=/tmp/site:$PWD timeout $(left) bash -c "$(declare -f bench); bench --methods 'icmos,icmos[workers=auto],icmos[index=flat],icmos[workers=auto;index=flat]' \
      --tasks niah_single --lengths $L_AB --n $N_AB --seed $(( 300 + 10 * round )) --out $R/ab/new$round.csv --samples-out $R/ab/new$round.jsonl" > $R/ab/new$round.log 2>&1
  done
  echo "phase 2 $(date -u +%T), $(left) s left"
  mkdir -p $R/big
  for g in $(seq 0 $(( NG - 1 ))); do
    if [ $g -lt $(( NG - 1 )) ] || [ $NG = 1 ]; then  # multivalue at 1M: one shard per GPU but the decode one
      CUDA_VISIBLE_DEVICES=$g PYTHONPATH=/tmp/site:$PWD OMP_NUM_THREADS=2 setsid nohup timeout $(left) bash -c "$(declare -f bench); bench --methods icmos \
        --tasks niah_multivalue --lengths 1M --n $N_MV --seed $(( 2000 + 100 * g )) --out $R/big/mv$g.csv --samples-out $R/big/mv$g.jsonl" > $R/big/mv$g.log 2>&1 < /dev/null &
    fi
    for p in $(seq 1 $P); do
      s=$(( g * P + p - 1 ))
      CUDA_VISIBLE_DEVICES=$g PYTHONPATH=/tmp/site:$PWD OMP_NUM_THREADS=2 setsid nohup timeout $(left) bash -c "$(declare -f bench); bench --methods icmos \
        --tasks niah_single --lengths $L_BIG --n $N_SHARD --seed $(( 5000 + 100 * s )) --out $R/big/s$s.csv --samples-out $R/big/s$s.jsonl" > $R/big/s$s.log 2>&1 < /dev/null &
    done
  done
  wait
  echo "driver done $(date -u +%T)"
  ;;
decode)  # the three decode settings at once, each alone on its own GPU (GPUs 0..2; all on GPU 0 if fewer), with the baselines
  dv() { local g=$1 name=$2; shift 2; (export CUDA_VISIBLE_DEVICES=$g PYTHONPATH=/tmp/site:$PWD OUT=$R/$name
    setsid nohup timeout 560 bash reports/scripts/decode_variants_gpu.sh --model $M --variants splitk --splits 32 --contexts 8000 --top 0 "$@" \
      > $R/$name.log 2>&1 < /dev/null &) ; echo "started $name on GPU $g"; }
  g() { [ $NG -ge 3 ] && echo $1 || echo 0; }
  dv $(g 0) dec1 --time-budget 300
  dv $(g 1) dec2 --splitk-form sum --tag sum --time-budget 300
  dv $(g 2) dec3 --compile-mode max-autotune-no-cudagraphs --coordinate-descent --tag maxat_cd --time-budget 400
  ;;
collect)
  wait_s=${2:-570}
  while [ $SECONDS -lt $wait_s ] && pgrep -f "${WAIT_FOR:-bench runtime|decode_variants}" > /dev/null; do sleep 5; done
  echo "elapsed since start: $(( $(date -u +%s) - $(cat $R/t0) ))s; running: $(pgrep -fc 'bench runtime|decode_variants')"
  nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader; free -g | head -2
  tail -5 $R/driver.log
  for f in $R/ab/*.log $R/dec*.log; do echo "--- $f"; tail -c 1500 $f | tr '\r' '\n' | grep -v '^\s*$' | grep -v Warning | tail -6; done
  echo "10M samples answered: $(cat $R/big/s*.jsonl 2>/dev/null | wc -l), right: $(cat $R/big/s*.jsonl 2>/dev/null | grep -c '"score": 1.0')"
  echo "1M multivalue samples: $(cat $R/big/mv*.jsonl 2>/dev/null | wc -l)"
  tar -czf ${OUT:?}/res.tgz -C $(dirname $R) $(basename $R) && ls -la $OUT
  ;;
*) echo "usage: targets_gpu.sh start TOTAL | run TOTAL | collect WAIT" >&2; exit 2;;
esac
