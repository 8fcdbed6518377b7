#!/bin/bash
# Host stages of the write path, reference code against the new (issue 12: ingest >= 500K tok/s), on one GPU host:
# reports/scripts/ingest_host_ab.py, 1M tokens, 5 interleaved reps of ref / fast / prefetch / new, real MiniLM, bf16 LM.
# One device call, after the staging calls of ../shared/gpu/stage-smollm2.sh; carry [.emb, .gpuw] (as ingest_gpu.sh):
#   bash reports/scripts/ingest_host_ab_gpu.sh     # -> $OUT/ingest/runtime_ingest_host_gpu.csv, host_ab.log
# Env: R (results folder), M (model), DEV, DT, LEN, REPS, INDEX (dnii or flat).
set -u
R=${R:-$OUT/ingest}; M=${M:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}; DEV=${DEV:-cuda}; DT=${DT:-bfloat16}
LEN=${LEN:-1M}; REPS=${REPS:-5}; INDEX=${INDEX:-dnii}
export ICMOS_CACHE=${ICMOS_CACHE:-/root/icmos-cache} PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 JAX_PLATFORMS=cpu
source "$(dirname "$0")/_gpu_common.sh"
ingest_prep  # results folder, MiniLM, wheels, PYTHONPATH, the model converted
ICMOS_MODEL=$M ICMOS_DEVICE=$DEV ICMOS_DTYPE=$DT timeout 540 python3 reports/scripts/ingest_host_ab.py --length $LEN --reps $REPS \
  --index $INDEX --variants ref,fast,prefetch,new --out $R/runtime_ingest_host_gpu.csv > $R/host_ab.log 2>&1
echo "rc $?"; grep -v "^{" $R/host_ab.log | tail -30
