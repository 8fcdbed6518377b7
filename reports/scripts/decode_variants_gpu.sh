#!/bin/bash
# Issue 13 on one GPU: decode tok/s of the FusedLlama step with sdpa / matmul / split-K / flex attention at 8K (and
# the two fastest at 1K), against transformers generate (DynamicCache, eager) and fast_greedy_decode(kernel='hf'),
# measured in one process by reports/scripts/decode_variants.py (its --selftest first: split-K == SDPA on random tensors).
# Device side, from the repo root, after the model is staged (../shared/gpu/stage-smollm2.sh: the two staging calls):
#   bash reports/scripts/decode_variants_gpu.sh [more decode_variants.py flags]
# e.g. `--variants splitk --splits 32,64 --splitk-form sum` or `--compile-mode max-autotune-no-cudagraphs --contexts 8000`.
# Writes $OUT/dec/decode_variants.csv (speed.csv's columns) and decode_variants.json (checks, compile s, kernels/step);
# a row is written as soon as it is measured, so a cut run keeps what it measured. ~6 min with the default flags.
set -u -o pipefail
R=${OUT:?set OUT}/dec; M=${ICMOS_MODEL:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}
export ICMOS_MODEL=$M ICMOS_CACHE=${ICMOS_CACHE:-/root/icmos-cache} PYTHONPATH=/tmp/site:$PWD
export PYTHONUNBUFFERED=1 TQDM_DISABLE=1 HF_HUB_OFFLINE=1 JAX_PLATFORMS=cpu
mkdir -p "$R"
date -u
nvidia-smi --query-gpu=name,memory.used,memory.total,driver_version --format=csv,noheader
python3 -c 'import transformers, torch; print("transformers", transformers.__version__, "torch", torch.__version__)'
# the GGUF -> safetensors conversion once, outside the timed budget (a no-op when the cache is there)
python3 -c "from icmos.core import load_model, ICMOSConfig; load_model(ICMOSConfig(model='$M', device='cpu'))" || exit 2
if [ "${SELFTEST_S:-60}" = 0 ]; then echo "selftest skipped (SELFTEST_S=0)" | tee "$R/selftest.txt"; rc0=0
else timeout ${SELFTEST_S:-60} python3 reports/scripts/decode_variants.py --selftest --device cuda 2>&1 | tee "$R/selftest.txt"; rc0=${PIPESTATUS[0]}; fi
timeout ${DV_TIMEOUT:-480} python3 reports/scripts/decode_variants.py --device cuda --dtype bfloat16 --out "$R" "$@" 2>&1 \
  | grep -v -e Warning -e '^ *warnings.warn' | tee "$R/log.txt" | tail -n 40
rc=${PIPESTATUS[0]}
echo "=== $R/decode_variants.csv"; cat "$R/decode_variants.csv"
echo "selftest exit $rc0, decode_variants exit $rc (1 = a variant failed its check, 124 = cut by the timeout)"; date -u
exit $(( rc0 || rc ))
