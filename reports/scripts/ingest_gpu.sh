#!/bin/bash
# Write-path speed on one GPU (issue 12: ingest >= 500K tok/s): the host stages in worker processes (icmos.ingest) against
# the same write in one process, MiniLM keys in DNII against an exact scan, and BM25 alone; then where the time goes.
# One device call, after the two staging calls of ../shared/gpu/stage-smollm2.sh; carry [.emb, .gpuw]:
#   bash reports/scripts/ingest_gpu.sh            # rows -> $OUT/ingest/solo.csv, stages -> $OUT/ingest/solo.jsonl, profile.json
# Env: R (results folder), M (model), DEV, DT, LEN, N, METHODS, PROFILE=0 (skip ingest_profile.py).
set -u
R=${R:-$OUT/ingest}; M=${M:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}; DEV=${DEV:-cuda}; DT=${DT:-bfloat16}
LEN=${LEN:-1M}; N=${N:-3}; METHODS=${METHODS:-icmos,icmos[workers=0],icmos[index=flat],icmos[rankers=bm25]}
export ICMOS_CACHE=${ICMOS_CACHE:-/root/icmos-cache} PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 JAX_PLATFORMS=cpu
source "$(dirname "$0")/_gpu_common.sh"
ingest_prep  # results folder, MiniLM, wheels, PYTHONPATH, the model converted
python3 -c 'import sys; from icmos.cli import main; sys.exit(main())' bench runtime --model $M --device $DEV --dtype $DT \
  --max-new-tokens 40 --n $N --budget 2048 --no-progress --methods "$METHODS" --tasks niah_single --lengths $LEN --seed 300 \
  --out $R/solo.csv --samples-out $R/solo.jsonl > $R/solo.log 2>&1
cat $R/solo.csv
if [ "${PROFILE:-1}" = 1 ]; then
  ICMOS_MODEL=$M ICMOS_DEVICE=$DEV timeout 240 python3 reports/scripts/ingest_profile.py --length $LEN --out $R/profile.json > $R/profile.log 2>&1
  tail -40 $R/profile.log
fi
gzip -f $R/solo.jsonl
