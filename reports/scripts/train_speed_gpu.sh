#!/bin/bash
# Issue 13, training half, on a GPU: `icmos bench train-speed` (Trimmer and MAG training loops, old vs new, one run).
# From the repo root, with PYTHONPATH holding icmos and gguf (model staged by shared/gpu/stage-smollm2.sh):
#   PYTHONPATH=$PWD:/tmp/site bash reports/scripts/train_speed_gpu.sh "$OUT" [extra bench flags]
# Writes RESULT_DIR/speed.csv (reports/results/speed.csv with the trimmer/mag rows replaced) and RESULT_DIR/train_speed.json.
set -u -o pipefail
R=${1:?usage: train_speed_gpu.sh RESULT_DIR [bench flags]}; shift
M=${ICMOS_GPU_MODEL:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}
export ICMOS_CACHE=${ICMOS_CACHE:-/root/icmos-cache} PYTHONUNBUFFERED=1 TQDM_DISABLE=1 TOKENIZERS_PARALLELISM=false
mkdir -p "$R"; cp reports/results/speed.csv "$R/speed.csv"
nvidia-smi --query-gpu=name,memory.used,memory.total,driver_version --format=csv,noheader
python3 -c 'import transformers, torch; print("transformers", transformers.__version__, "torch", torch.__version__)'
python3 -c "from icmos.core import load_model, ICMOSConfig; load_model(ICMOSConfig(model='$M', device='cpu'))" || exit 2  # convert once
timeout 480 python3 -c 'import sys; from icmos.cli import main; sys.exit(main())' bench train-speed --model "$M" --device cuda \
  --out "$R/speed.csv" --profile-out "$R/train_speed.json" "$@" 2>&1 | grep -v Warning
rc=$?; echo "train-speed exit $rc"; exit $rc
