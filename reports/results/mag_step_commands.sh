# How reports/results/mag_step_*.csv were made (issue 17, first step: MAG training step, memory writes layer by layer vs batched).
# CPU (the shared 2-core development machine, torch 2.13.0+cpu, float32, one thread), branch magfast, 2026-11-28:
PYTHONPATH=$PWD .venv/bin/python reports/scripts/mag_step_profile.py --context 512 --out reports/results/mag_step_profile_cpu.csv
PYTHONPATH=$PWD .venv/bin/python reports/scripts/mag_step_speed.py --device cpu --contexts 512 --batches 1,2 --reps 3 --profile all \
  --threads 1 --out reports/results/mag_step_speed_cpu.csv
# GPU, session 13 (2026-11-28, one H200, idle; merge commit 3b72a90): the model staged in quarters as for the Trimmer runs
# (.gpu/q1..q4, one call each; the 4th call carries .gpu/q4 + .gpu/w), then a call carrying .gpuw (the KJV filler's wheel, which the
# needle task needs):
#   python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpuw/*.whl \
#     && PYTHONPATH=$PWD:/tmp/site bash reports/scripts/mag_step_speed_gpu.sh "$OUT"
# -> $OUT/mag_step_speed.csv = reports/results/mag_step_speed.csv (214 s; the 4,096-token batch-16 cell passed the 180 s limit: not run)
# Session 14 (2026-11-28, one idle H200, commit 2bf60c5): the compiled write beside the two others, 1,024 tokens, batch 1 and 16:
#   PYTHONPATH=$PWD:/tmp/site bash reports/scripts/mag_step_speed_gpu.sh "$OUT/mag" \
#     --modes train_step_layerwise,train_step_batched,train_step_batched_compiled --contexts 1024 --batches 1,16 --reps 2
# -> $OUT/mag/mag_step_speed.csv = reports/results/mag_step_speed_s14.csv (148 s)
