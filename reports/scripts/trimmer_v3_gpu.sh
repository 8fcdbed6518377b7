#!/bin/bash
# Issue 16 (Trimmer v3) on a GPU host. Every process runs in its own session (it outlives the device call) and writes a row per
# finished sample (`icmos bench trimmer --rows-every 1`, tasks in turn), so a process cut at the deadline keeps what it finished.
#   bash reports/scripts/trimmer_v3_gpu.sh start [TOTAL]  # GPU $G0: presses + shipped scorer (with/without structure) bench;
#                                                          # GPU $G1: train a structured scorer (sinks 4, window $W), then bench it.
#                                                          # Every process ends by start + TOTAL s (1140); returns once launched.
#   bash reports/scripts/trimmer_v3_gpu.sh collect WAIT    # wait for them (at most WAIT s into this call), merge, pack $R into $OUT/trim.tgz
#   bash reports/scripts/trimmer_v3_gpu.sh seeds [TOTAL]  # training seeds SEEDS on GPUs SG and a LoRA run (rank LORA) on GPU LG, each then benched
#   (older entries: bench TOTAL [CKPT] | train TOTAL W, the same processes one at a time)
# Merged rows (reports/scripts/trimmer_v3_merge.py): $R/trimmer_v3.csv (each cell all its samples), $R/trimmer_v3_common.csv (per task,
# only the samples every policy reached: the same prompts for all); the trained scorer's rows are named '<policy>+v3'.
# Needs the staged model ($M) and, after ../shared/gpu/stage-smollm2.sh, the carried wheel folder .gpuw (KJV filler of prose_needle).
# Env: R (/root/trim), M (model), G0/G1 (GPUs, 0/1), N (cap on samples per cell, 200), LEN (4K), RATIOS (0.75,0.875),
#   TASKS (niah_single,niah_multikey,blockfacts,prose_needle,ppl), WINDOWS (benched structures, 0.125,0.25,0.5), W (trained window, 0.25),
#   TRAIN (training seconds, 600), TLEN (training lengths, 2048,4096), TB (batch, 16), P0 (GPU $G0's policies, space-separated: full, the 4 presses, trimmer, trimmer[sinks=4;window=w] per w),
#   DEV/DT/PY (CPU dry run: DEV=cpu DT=float32 LEN=1100 TASKS=niah_single,ppl WINDOWS=0.25 P0='streaming trimmer[sinks=4;window=0.25]' TRAIN=60 TLEN=600 TB=2 start 420;
#   seeds, run on the CPU in session 11: DEV=cpu DT=float32 LEN=1100 TASKS=niah_single,ppl TRAIN=40 TLEN=600 TB=2 SEEDS=1 LORA=4 N=1 M=smollm2 seeds 500).
set -u
R=${R:-/root/trim}; M=${M:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}; DEV=${DEV:-cuda}; DT=${DT:-bfloat16}
N=${N:-200}; LEN=${LEN:-4K}; RATIOS=${RATIOS:-0.75,0.875}; TASKS=${TASKS:-niah_single,niah_multikey,blockfacts,prose_needle,ppl}
WINDOWS=${WINDOWS:-0.125,0.25,0.5}; W=${W:-0.25}; TRAIN=${TRAIN:-600}; TLEN=${TLEN:-2048,4096}; TB=${TB:-16}; G0=${G0:-0}; G1=${G1:-1}
TF=${TF:-}  # extra flags for every `train trimmer` of seeds (e.g. '--steps 2145': the shipped v3 checkpoint's count)
export R M DEV DT N LEN RATIOS TASKS WINDOWS W TRAIN TLEN TB G0 G1 TF
export ICMOS_CACHE=${ICMOS_CACHE:-/root/icmos-cache} PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TQDM_DISABLE=1 TOKENIZERS_PARALLELISM=false
PY=${PY:-python3}; ICM="$PY -c 'import sys; from icmos.cli import main; sys.exit(main())'"  # the CLI without an installed entry point
job() { local name=$1 g=$2; shift 2; CUDA_VISIBLE_DEVICES=$g OMP_NUM_THREADS=2 setsid nohup bash -c "$*" > $R/$name.log 2>&1 < /dev/null &
        echo "started $name on GPU $g"; }
left() { echo $(( $(cat $R/deadline) - $(date +%s) )); }  # seconds to the deadline set by start
tag() { echo "$1" | sed 's/trimmer\[sinks=\([0-9]*\);window=\([0-9.]*\)\]/trimmer_s\1_w\2/'; }
# one bench process: policies on tasks, every sample its rows, killed 10 s before the deadline
bench1() { local out=$1 pols=$2 tasks=$3 ck=${4:-}; [ -n "$ck" ] && ck="--checkpoint $ck"
  echo "timeout \$(( \$(cat $R/deadline) - \$(date +%s) - 10 )) $ICM bench trimmer --model $M --device $DEV --dtype $DT --no-progress $ck \
    --policies '$pols' --tasks $tasks --lengths $LEN --ratios $RATIOS --n $N --rows-every 1 --kept-out '' --max-new-tokens 48 --out $R/$out.csv"; }
source "$(dirname "$0")/_gpu_common.sh"  # from_copy, gpu_site
# start / seeds on the GPU run from a copy of the tree, a new folder per call (the jobs started here bench after training)
case "${1:-}" in start|seeds) from_copy TV3_COPY /root/v reports/scripts/trimmer_v3_gpu.sh "$@";; esac
mkdir -p $R
gpu_site  # (after the copy: the jobs import the copied package)
case "${1:-}" in
start)
  echo $(( $(date +%s) + ${2:-1140} )) > $R/deadline
  $PY -c "from icmos.core import load_model, ICMOSConfig; load_model(ICMOSConfig(model='$M', device='cpu'))" 2>&1 | grep -v Warn  # convert once
  set -f  # policy names hold [ ]: no globbing
  for p in ${P0:-full streaming snapkv tova expected_attention trimmer $(for w in ${WINDOWS//,/ }; do echo "trimmer[sinks=4;window=$w]"; done)}; do
    job g0_$(tag $p) $G0 "$(bench1 g0_$(tag $p) "$p" $TASKS)"     # one policy per process, the tasks in turn: n grows evenly
  done; set +f
  job g1 $G1 "bash $0 _gpu1"
  echo "deadline in $(left) s: $(date -u -d @$(cat $R/deadline) +%T) UTC"
  ;;
_gpu1)  # train, then bench the checkpoint: its window W split over tasks (most samples), the other windows one process each
  t=$(( $(left) - 420 )); [ $t -lt $TRAIN ] || t=$TRAIN; [ "$DEV" = cpu ] && t=$TRAIN
  echo "train ${t}s, deadline in $(left) s"
  timeout $(( t + 120 )) bash -c "$ICM train trimmer --model $M --device $DEV --dtype $DT --init data/trimmer-smollm2 --sinks 4 --window $W \
    --batch $TB --workers 4 --ratios $RATIOS --lengths $TLEN --steps 100000 --time-limit $t --log-every 20 --out $R/ckpt_w$W \
    --curve $R/train_w$W.csv" > $R/train.log 2>&1
  echo "train exit $?: $(tail -c 400 $R/train.log | tr '\r' '\n' | grep -v '^\s*$' | tail -2)"
  [ -f $R/ckpt_w$W/model.safetensors ] || { echo "no checkpoint: nothing to bench"; exit 1; }
  pw="trimmer[sinks=4;window=$W]"; tq=${TASKS//,ppl/}; tq=${tq//ppl,/}
  for k in ${tq//,/ }; do  # ppl (no decoding: quick) rides with the last task
    x=$k; [ $k = ${tq##*,} ] && [[ ,$TASKS, == *,ppl,* ]] && x=$k,ppl
    job g1_$(tag $pw)_$k $G1 "$(bench1 g1_$(tag $pw)_$k "$pw" $x $R/ckpt_w$W)"
  done
  for w in ${WINDOWS//,/ }; do [ $w = $W ] && continue
    job g1_$(tag "trimmer[sinks=4;window=$w]") $G1 "$(bench1 g1_$(tag "trimmer[sinks=4;window=$w]") "trimmer[sinks=4;window=$w]" $TASKS $R/ckpt_w$W)"
  done
  wait; echo "benches of the trained scorer done; deadline in $(left) s"
  ;;
seeds)  # issue 16: more training seeds and the LoRA ablation, each its own GPU: train (the v3 recipe, seed S), then bench the checkpoint
  # at structure W on TASKS; SEEDS ('1 2') on the GPUs SG ('0 1'), LORA (a rank; '' = none) on LG (2). Shards s<S>_<task>.csv, lora_<task>.csv
  echo $(( $(date +%s) + ${2:-1140} )) > $R/deadline
  $PY -c "from icmos.core import load_model, ICMOSConfig; load_model(ICMOSConfig(model='$M', device='cpu'))" 2>&1 | grep -v Warn  # convert once
  sg=(${SG:-0 1}); i=0
  for s in ${SEEDS:-1 2}; do job seed$s ${sg[$(( i % ${#sg[@]} ))]} "bash $0 _train_bench s$s '--seed $s' ''"; i=$(( i + 1 )); done
  [ -n "${LORA:-}" ] && job lora ${LG:-2} "bash $0 _train_bench lora '--seed 0 --lora-rank $LORA' --lora"
  echo "deadline in $(left) s: $(date -u -d @$(cat $R/deadline) +%T) UTC"
  ;;
_train_bench)  # NAME TRAIN_FLAGS BENCH_FLAGS: train to $R/ckpt_NAME, then one bench process per task (ppl with the last)
  name=$2; tf=$3; bf=${4:-}
  t=$(( $(left) - 420 )); [ $t -lt $TRAIN ] || t=$TRAIN; [ "$DEV" = cpu ] && t=$TRAIN
  timeout $(( t + 120 )) bash -c "$ICM train trimmer --model $M --device $DEV --dtype $DT --init data/trimmer-smollm2 --sinks 4 --window $W \
    --batch $TB --workers 4 --ratios $RATIOS --lengths $TLEN --steps 100000 --time-limit $t --log-every 20 --out $R/ckpt_$name \
    --curve $R/train_$name.csv $tf $TF" > $R/train_$name.log 2>&1
  echo "train $name exit $?"
  [ -f $R/ckpt_$name/model.safetensors ] || { echo "no checkpoint for $name: nothing to bench"; exit 1; }
  pw="trimmer[sinks=4;window=$W]"; tq=${TASKS//,ppl/}; tq=${tq//ppl,/}
  for k in ${tq//,/ }; do
    x=$k; [ $k = ${tq##*,} ] && [[ ,$TASKS, == *,ppl,* ]] && x=$k,ppl
    job ${name}_$k $(echo ${CUDA_VISIBLE_DEVICES:-0}) "$(bench1 ${name}_$k "$pw" $x $R/ckpt_$name) $bf"
  done
  wait
  ;;
bench)  # the old entry: every policy in one process per task (no training), until start's clock or TOTAL
  echo $(( $(date +%s) + ${2:-1140} )) > $R/deadline; pols="streaming,snapkv,tova,expected_attention,trimmer"
  for w in ${WINDOWS//,/ }; do pols="$pols,trimmer[sinks=4;window=$w]"; done
  for t in ${TASKS//,/ }; do job b_$t $G0 "$(bench1 b_$t "$pols" $t ${3:-})"; done
  ;;
train)
  total=${2:-1140}; w=${3:-$W}
  job "train_w$w" $G1 "timeout $total $ICM train trimmer --model $M --device $DEV --dtype $DT --init data/trimmer-smollm2 --sinks 4 --window $w \
    --batch $TB --workers 4 --ratios $RATIOS --steps 100000 --time-limit $(( total - 60 )) --lengths $TLEN --out $R/ckpt_w$w --curve $R/train_w$w.csv --log-every 20"
  ;;
collect)
  wait_s=${2:-520}  # + merge (<= 60 s) + pack: within a 600 s call
  mine="--out $R/|trimmer_v3_gpu.sh _gpu1|trimmer_v3_gpu.sh _train_bench"  # this run's processes only (other jobs may share the host)
  while [ $SECONDS -lt $wait_s ] && pgrep -f -- "$mine" > /dev/null; do sleep 5; done
  echo "running: $(pgrep -fc -- "$mine"); deadline in $( [ -f $R/deadline ] && left ) s"
  for f in $R/*.log; do echo "--- $f"; tail -c 600 $f | tr '\r' '\n' | grep -v '^\s*$' | tail -2; done
  timeout 60 $PY reports/scripts/trimmer_v3_merge.py $R $W || echo "merge failed (the shards are in the archive)"
  tar -czf ${OUT:?}/trim.tgz -C $(dirname $R) --exclude='*.pt' $(basename $R) && ls -la $OUT
  ;;
*) echo "usage: trimmer_v3_gpu.sh start [TOTAL] | collect WAIT | bench TOTAL [CKPT] | train TOTAL W" >&2; exit 2;;
esac
