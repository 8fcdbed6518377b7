#!/bin/bash
# Issue 17, first step, on a GPU: MAG training step, layer-by-layer memory writes (old) vs the batched write (new),
# interleaved in one process (reports/scripts/mag_step_speed.py), bf16, batch 1/8/16, context 1024 and 4096.
# From the repo root, with PYTHONPATH holding icmos and gguf (model staged by shared/gpu/stage-smollm2.sh):
#   PYTHONPATH=$PWD:/tmp/site bash reports/scripts/mag_step_speed_gpu.sh "$OUT" [extra flags of mag_step_speed.py]
# Writes RESULT_DIR/mag_step_speed.csv (the rows, speed.csv's columns first). Expected ~4 minutes on an H100 (an estimate
# from the H200 step times of speed.csv, not measured): 2 timed reps per mode at 1024, 1 at 4096, kernels profiled at 1024
# (batch 1); --time-limit 180 starts no cell after 3 minutes and timeout 270 stops the bench: a cut run keeps its finished cells.
set -u -o pipefail
R=${1:?usage: mag_step_speed_gpu.sh RESULT_DIR [flags]}; shift
M=${ICMOS_GPU_MODEL:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}
export ICMOS_CACHE=${ICMOS_CACHE:-/root/icmos-cache} PYTHONUNBUFFERED=1 TQDM_DISABLE=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1
mkdir -p "$R"
nvidia-smi --query-gpu=name,memory.used,memory.total,driver_version --format=csv,noheader
python3 -c 'import transformers, torch; print("transformers", transformers.__version__, "torch", torch.__version__)'
python3 -c "from icmos.core import load_model, ICMOSConfig; load_model(ICMOSConfig(model='$M', device='cpu'))" || exit 2  # convert once
timeout 270 python3 reports/scripts/mag_step_speed.py --model "$M" --device cuda --contexts 1024,4096 --batches 1,8,16 --reps 2,1 \
  --profile first --profile-max-context 1024 --time-limit 180 --out "$R/mag_step_speed.csv" "$@" 2>&1 | grep -v Warning
rc=$?; echo "mag_step_speed exit $rc"; cat "$R/mag_step_speed.csv"; exit $rc
