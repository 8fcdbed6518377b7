# How reports/results/mag_step_*.csv were made (issue 17, first step: MAG training step, memory writes layer by layer vs batched).
# CPU (the shared 2-core development machine, torch 2.13.0+cpu, float32, one thread), branch magfast, 2026-11-28:
PYTHONPATH=$PWD .venv/bin/python reports/scripts/mag_step_profile.py --context 512 --out reports/results/mag_step_profile_cpu.csv
PYTHONPATH=$PWD .venv/bin/python reports/scripts/mag_step_speed.py --device cpu --contexts 512 --batches 1,2 --reps 3 --profile all \
  --threads 1 --out reports/results/mag_step_speed_cpu.csv
# GPU (not run yet; expected ~4 min on an H100, an estimate from speed.csv's H200 step times): the model staged as in
# ../shared/gpu/stage-smollm2.sh, but in three pieces (this tree is ~22.5 MB and a call carries at most 64 MiB, so a
# 49 MB half does not fit beside it): split -n 3 the GGUF into .gpu/p0/x, .gpu/p1/x, .gpu/p2/x (+ SHA256, wheels in .gpu/w)
#   call 1 (carry .gpu/p0): mkdir -p /root/icmos-model && cp .gpu/p0/x /root/icmos-model/x0
#   call 2 (carry .gpu/p1): cp .gpu/p1/x /root/icmos-model/x1
#   call 3 (carry .gpu/p2 .gpu/w): cat /root/icmos-model/x0 /root/icmos-model/x1 .gpu/p2/x > /root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf \
#     && python3 -m pip install -q --no-index --no-deps --target /tmp/site .gpu/w/*.whl \
#     && PYTHONPATH=$PWD:/tmp/site bash reports/scripts/mag_step_speed_gpu.sh "$OUT"
# -> $OUT/mag_step_speed.csv (copy to reports/results/mag_step_speed.csv)
