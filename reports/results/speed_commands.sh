# How reports/results/speed*.{csv,json,txt} were made (issue 13, decode/prefill half), on the device tool's
# nvidia-h100-x1 (NVIDIA H100 80GB HBM3, driver 580.159.04, torch 2.11.0+cu130, transformers 5.17.0).
# Model staged with ../shared/gpu/stage-smollm2.sh (two calls), icmos copied from the branch into .fast/.
#
# Run 1, 2026-11-26 ~14:22 UTC, code of commit 314c768 (GraphDecoder with two warm-up steps):
#   call 1 (carry .gpu/a):              mkdir -p /root/icmos-model && cp .gpu/a/part0 /root/icmos-model/
#   call 2 (carry .gpu/b .gpu/w .fast): bash .gpu/b/assemble.sh && export PYTHONPATH=$PWD/.fast:/tmp/site && cd .fast && \
#                                       bash reports/scripts/speed_gpu.sh "$OUT" 2>&1 | tee $OUT/speed_gpu.log
#   -> speed.csv, speed_profile.json, speed_gpu_checks.txt (bench exit 1: graph and eager-step tokens differ
#      in bfloat16 at 8K, see speed_profile.json checks; identical in the three other cells)
