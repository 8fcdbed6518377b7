# How reports/results/mag_step_*.csv were made (issue 17, first step: MAG training step, memory writes layer by layer vs batched).
# CPU (the shared 2-core development machine, torch 2.13.0+cpu, float32, one thread), branch magfast, 2026-11-28:
PYTHONPATH=$PWD .venv/bin/python reports/scripts/mag_step_profile.py --context 512 --out reports/results/mag_step_profile_cpu.csv
PYTHONPATH=$PWD .venv/bin/python reports/scripts/mag_step_speed.py --device cpu --contexts 512 --batches 1,2 --reps 3 --profile all \
  --threads 1 --out reports/results/mag_step_speed_cpu.csv
# GPU (not run yet): model staged by ../shared/gpu/stage-smollm2.sh, then in the device call
#   bash .gpu/b/assemble.sh && export PYTHONPATH=/tmp/site:$PWD && bash reports/scripts/mag_step_speed_gpu.sh "$OUT"
# -> $OUT/mag_step_speed.csv (copy to reports/results/mag_step_speed.csv)
