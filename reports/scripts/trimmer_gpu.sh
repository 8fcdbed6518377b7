#!/bin/bash
# Issue 6 (Trimmer) on the GPU machine: train the Trimmer (with the attention prior) on the staged SmolLM2, then bench it
# against every press on the same prompts at 4K and 8K (one prefill, then eviction) and 32K (block by block, 1024 kept).
# Usage (repo root, model staged by shared/gpu/stage-smollm2.sh, PYTHONPATH=/tmp/site:$PWD):
#   bash reports/scripts/trimmer_gpu.sh TOTAL_SECONDS RESULT_DIR [MODEL]
# Everything lands in RESULT_DIR row by row (a killed run leaves what it finished). TRIMMER_GPU_TEST=1: a CPU smoke test.
set -u
total=${1:-1000}; R=${2:-/root/res}; M=${3:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}
t0=$SECONDS; mkdir -p "$R"; export PYTHONUNBUFFERED=1 ICMOS_CACHE=${ICMOS_CACHE:-/root/icmos-cache}
icmos() { python3 -c 'import sys; from icmos.cli import main; sys.exit(main())' "$@"; }
dev=cuda; lens_train=2048,4096,8000; l4=4K; l8=8K; llong=32K; n=10; nlong=5; train_frac=30; ck=/root/trim-ckpt
if [ "${TRIMMER_GPU_TEST:-0}" = 1 ]; then dev=cpu; lens_train=600; l4=700; l8=800; llong=8200; n=1; nlong=1; ck=$R/ckpt; fi
left() { echo $(( total - (SECONDS - t0) )); }
log() { echo "[trimmer $(date -u +%T) left=$(left)s] $*"; }
log "train (${train_frac}% of the time)"
icmos train trimmer --model "$M" --device $dev --threads 2 --steps 100000 --time-limit $(( total * train_frac / 100 )) \
  --lengths $lens_train --out $ck --curve "$R/trimmer_train_gpu.csv" > "$R/trimmer_train.log" 2>&1
log "trained: $(tail -c 300 "$R/trimmer_train.log" | tr '\r' '\n' | tail -2)"
cp $ck/config.json "$R/trimmer_gpu_config.json"; cp $ck/model.safetensors "$R/trimmer_gpu_model.safetensors"
P=full,streaming,knorm,snapkv,tova,h2o,expected_attention,trimmer
bench() { # out-suffix args...
  local o=$1; shift
  icmos bench trimmer --model "$M" --device $dev --threads 1 --no-progress --checkpoint $ck --max-new-tokens 48 \
    --out "$R/trimmer_gpu_$o.csv" "$@" >> "$R/trimmer_bench_$o.log" 2>&1 || log "bench $o failed: $(tail -3 "$R/trimmer_bench_$o.log")"
}
log "benches (in parallel)"
bench 4k_niah --policies $P --tasks niah_single --lengths $l4 --n $n --kept-out "$R/trimmer_kept_gpu.csv" &
bench 8k_niah --policies $P --tasks niah_single --lengths $l8 --n $n --kept-out '' &
bench 4k_multi --policies $P --tasks niah_multikey --lengths $l4 --n $n --kept-out '' &
bench 8k_multi --policies $P --tasks niah_multikey --lengths $l8 --n $n --kept-out '' &
bench 4k_facts --policies $P --tasks blockfacts,ppl --lengths $l4 --n $n --kept-out '' &
bench 8k_facts --policies $P --tasks blockfacts,ppl --lengths $l8 --n $n --kept-out '' &
bench long_niah --policies streaming,knorm,snapkv,tova,expected_attention,trimmer --tasks niah_single --lengths $llong --n $nlong --kept-out '' &
bench long_multi --policies streaming,tova,snapkv,trimmer --tasks niah_multikey,blockfacts --lengths $llong --n $nlong --kept-out '' &
wait
log "done"
