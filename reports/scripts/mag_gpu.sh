#!/bin/bash
# MAG on a GPU (issue 7): curriculum training, then the benchmark on the last checkpoint, all inside TOTAL_SECONDS of
# wall time. Meant to run in the background next to other jobs on one shared H100 (16 cores shared: --threads 2).
# From the repo root, with PYTHONPATH holding the repo root (and gguf), e.g.
#   PYTHONPATH=/tmp/site:$PWD nohup bash reports/scripts/mag_gpu.sh 1000 "$OUT/mag" > "$OUT/mag_gpu.log" 2>&1 &
# Usage: mag_gpu.sh [TOTAL_SECONDS=1000] RESULT_DIR [MODEL_PATH=/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf]
# Writes, row by row (a kill keeps what is done): RESULT_DIR/mag_train_gpu.csv (per training step),
# RESULT_DIR/mag_gpu.csv (columns of reports/results/mag.csv), RESULT_DIR/mag_diag_gpu.csv.
# Checkpoints go to /root/mag-ckpt/<phase> (too big for RESULT_DIR). Training gets ~40% of the time (the per-phase
# --time-limit decides, not --steps); bench lines run most important first, each gets the time left as --time-limit
# (no new sample starts after it), and a line with too little time left is skipped.
# MAG_GPU_TEST=1: the same lines at CPU size (device cpu, embedded model, --length 512, window 256, 1K, n = 1, 1 thread),
# to check the script end to end on a machine without a GPU. MAG_LR overrides the learning rate.
set -u
total=${1:-1000}; R=${2:?usage: mag_gpu.sh TOTAL_SECONDS RESULT_DIR [MODEL_PATH]}
t0=$SECONDS
export PYTHONUNBUFFERED=1 TQDM_MININTERVAL=30
if [ "${MAG_GPU_TEST:-0}" = 1 ]; then
  DEV=cpu; MODEL=(); LEN=512; W=256; LA=1K; LAB=1K; LB=1K; N=1; CKD=/tmp/magtest-ckpt; MARGIN=15; MINLEFT=30; TH=1
else
  export ICMOS_CACHE=/root/icmos-cache
  DEV=cuda; MODEL=(--model "${3:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}"); LEN=4096; W=512; LA=4K; LAB=4K,16K; LB=16K; N=10
  CKD=/root/mag-ckpt; MARGIN=30; MINLEFT=60; TH=2   # MARGIN: model load before the CLI's own clock starts
fi
LR=${MAG_LR:-5e-4}
PHASES=needle,hashhop-short,vardep-2
mkdir -p "$R"; rm -rf "$CKD"
ts() { date -u +%T; }
left() { echo $(( total - (SECONDS - t0) )); }
echo "=== $(ts) mag_gpu.sh total=${total}s result=$R device=$DEV model=${MODEL[*]:-embedded} window=$W length=$LEN lr=$LR"
[ "$DEV" = cuda ] && nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv,noheader
python3 -c 'import transformers, torch; print("transformers", transformers.__version__, "torch", torch.__version__)'

# a. training: 3 phases, each stopped by its time limit (~40% of total in all, less the model load)
per_phase=$(( (total * 40 / 100 - MARGIN) / 3 )); [ "$per_phase" -ge 5 ] || per_phase=5
echo "=== $(ts) left=$(left)s: train mag $PHASES, ${per_phase}s per phase"
timeout -k 10 $(( total * 55 / 100 )) python3 -c 'import sys; from icmos.cli import main; sys.exit(main())' train mag \
  "${MODEL[@]}" --device $DEV --threads $TH --phase $PHASES --steps 2000 --time-limit $per_phase --window $W --mem-chunk 64 \
  --length $LEN --lr $LR --out "$CKD" --log "$R/mag_train_gpu.csv"
rc=$?; echo "=== $(ts) train exit $rc left=$(left)s"
CK=; for p in vardep-2 hashhop-short needle; do [ -f "$CKD/$p/mag_config.json" ] && { CK=$CKD/$p; break; }; done
[ -n "$CK" ] && echo "checkpoint: $CK" || echo "WARNING: no checkpoint; the mag variants are dropped"

# b. benchmark, most important first. bench VARIANTS TASKS LENGTHS [more flags]
bench() {
  local v=$1 t=$2 L=$3; shift 3
  [ -n "$CK" ] || v=$(echo "$v" | tr ',' '\n' | grep -v '^mag' | paste -sd, -)
  [ -n "$v" ] || { echo "skip (no checkpoint): $t $L"; return; }
  local l=$(left); [ "$l" -gt "$MINLEFT" ] || { echo "=== $(ts) skip (${l}s left): $v $t $L $*"; return; }
  echo "=== $(ts) left=${l}s: bench mag $v $t $L $*"
  timeout -k 10 $(( l - 5 )) python3 -c 'import sys; from icmos.cli import main; sys.exit(main())' bench mag \
    "${MODEL[@]}" --device $DEV --threads $TH ${CK:+--checkpoint "$CK"} --variants $v --tasks $t --lengths $L \
    --window $W --n $N --max-new-tokens 32 --time-limit $(( l - MARGIN - 10 )) --out "$R/mag_gpu.csv" "$@"
  local rc=$?; echo "=== $(ts) exit $rc"
}
bench mag,streaming niah_single $LAB --chunk-size 64 --diag-out "$R/mag_diag_gpu.csv"
bench mag,mag_nowrite,streaming,full ppl 512 --chunk-size 64       # perplexity inside the window, back to back
bench full niah_single $LA --chunk-size 64                         # full attention: 8K model window, so 4K only
bench mag,streaming,full hashhop,vardep $LA --chunk-size 64
bench mag,streaming hashhop,vardep $LB --chunk-size 64
echo "=== $(ts) done in $(( SECONDS - t0 ))s"
for f in "$R"/mag_train_gpu.csv "$R"/mag_gpu.csv "$R"/mag_diag_gpu.csv; do [ -f "$f" ] && echo "$f: $(( $(wc -l < "$f") - 1 )) rows"; done
cat "$R/mag_gpu.csv" 2>/dev/null
