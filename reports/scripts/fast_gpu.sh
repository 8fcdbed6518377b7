#!/bin/bash
# One GPU session for issue 13 (the fused decode step, batched prefill, training at larger batches) and the runtime's
# write-path profile (issue 12). One part per device call (each well under 600 s), after the two staging calls of
# ../shared/gpu/stage-smollm2.sh (call 1 carry .gpu/a, call 2 carry .gpu/b .gpu/w: bash .gpu/b/assemble.sh):
#   carry [.emb, .gpuw]: bash reports/scripts/fast_gpu.sh speed|compile|train|ingest|prefill|solo
# (speed and compile need only the model; the call that assembles it cannot also carry .emb: 64 MiB per call)
# Results go to $OUT (the run tool's folder).
set -u -o pipefail
part=${1:?usage: fast_gpu.sh speed|compile|train|ingest|prefill|solo}; R=${OUT:?set OUT}
M=/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf
export ICMOS_CACHE=/root/icmos-cache PYTHONUNBUFFERED=1 TQDM_DISABLE=1 HF_HUB_OFFLINE=1 JAX_PLATFORMS=cpu
if [ -d .emb/minilm ]; then mkdir -p /root/emb && cp -r .emb/minilm/. /root/emb/; export ICMOS_EMBEDDER=/root/emb; fi
[ -d .gpuw ] && [ ! -f /tmp/site/.gpuw_done ] && python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpuw/*.whl && touch /tmp/site/.gpuw_done
export PYTHONPATH=/tmp/site:$PWD
date -u
case $part in
speed)   SPEED_PARTS="checks main" MAIN_FLAGS="--chunks 512,2048,8192 --batch 4,8,16" BENCH_TIMEOUT=400 bash reports/scripts/speed_gpu.sh "$R" "$M";;
compile) SPEED_PARTS="compile" BENCH_TIMEOUT=540 bash reports/scripts/speed_gpu.sh "$R" "$M";;
train)   TOKENIZERS_PARALLELISM=false bash reports/scripts/train_speed_gpu.sh "$R" --batches 1,8,16,32 --trimmer-steps 8 --mag-steps 2;;
ingest)  ICMOS_MODEL=$M timeout 300 python3 reports/scripts/ingest_profile.py --length 1M --out "$R/ingest_profile.json" 2>&1 | grep -v Warning | grep -v '^ \|^--'
         # the runtime benchmark alone on the GPU: ingest tok/s and query s at 1M (as runtime_gpu.sh SOLO), and decode of icmos vs full
         B() { timeout 270 python3 -c 'import sys; from icmos.cli import main; sys.exit(main())' bench runtime --model $M --device cuda --dtype bfloat16 --max-new-tokens 40 --budget 2048 --no-progress "$@"; }
         B --methods 'icmos,icmos[rankers=bm25]' --tasks niah_single --lengths 1M --n 3 --seed 300 --out $R/solo.csv --samples-out $R/solo.jsonl 2>&1 | tail -3
         B --methods full,icmos --tasks niah_single --lengths 6K --n 10 --seed 400 --out $R/decode.csv --samples-out $R/decode.jsonl 2>&1 | tail -3
         cat $R/solo.csv $R/decode.csv;;
solo)    timeout 200 python3 -c 'import sys; from icmos.cli import main; sys.exit(main())' bench runtime --model $M --device cuda --dtype bfloat16 \
           --max-new-tokens 40 --budget 2048 --no-progress --methods icmos --tasks niah_single --lengths 1M --n 3 --seed 300 \
           --out $R/solo.csv --samples-out $R/solo.jsonl 2>&1 | tail -2;;
prefill) SPEED_PARTS="main" MAIN_FLAGS="--contexts 1K,8K --dtypes bfloat16 --chunks 512,8192 --batch 4,8,16" BENCH_TIMEOUT=400 bash reports/scripts/speed_gpu.sh "$R" "$M";;
*) echo "unknown part $part" >&2; exit 2;;
esac
echo "part $part exit $?"; date -u
