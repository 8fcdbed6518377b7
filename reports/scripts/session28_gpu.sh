#!/bin/bash
# Prepared in session 27 for the next GPU session (not yet run). One H200, a copy of the tree, results in R (default /root/rt28):
#   selftest  decode_variants.py --selftest on the GPU: every merge of the Triton attention and write=True (output and cache) vs SDPA
# PART=2 (second holding, after part 1 showed that inductor copied q, k, v out of the projection for the write op, and that its
# one-row matmuls vary 2.7-15 us per call between compiles): the GPU selftest (now with the Triton GEMV), gemv_sweep.py, then
# tritonc64+gemv (every matmul one Triton launch with its norm, SwiGLU or residual) against tritonc64 (the write op, now given the
# projection whole) and tritonm64, in two processes in opposite orders; then tritonc64+gemv without torch.compile (eager ops in
# the CUDA graph). Calls as below with PART=2 before `bash` in go and collect.
# PART=3 (third holding): gemv_config refitted to PART=2's sweep, the LM head through cuBLAS after a Triton RMSNorm (the GEMV took
# 31-46 us for it against cuBLAS's 16), the step's argmax in two stages (14 us in one block); gemv_sweep again, tritonc64+gemv not
# compiled (with the baselines), tritonm64 and tritonc64+gemv compiled, tritonc64+gemv not compiled again.
# PART=3's captures all failed: the two-stage argmax indexed with a device tensor (`i[j]`, read on the host); fixed with gather.
# PART=4 (the last 199 s of device time): p1, p2, p3, then `bash reports/scripts/session28_gpu.sh quick` (tritonc64+gemv, not compiled).
# PART=1 (the first holding, run):
#   dec1-3    issue 13: tritonm64 (Triton merge) against tritonc64 (write=True: RoPE and the K/V cache write inside the attention
#             kernel, which failed to compile in session 27's last holding and was fixed after it), tritonc64+head (the LM head as
#             the opaque cuBLAS op: inductor's reduction for it took 57 us per step in session 27) and tritonc64+head+down (the MLP's
#             down projection too: a guard against inductor's slow pick for it, 0.7 ms per step in two of session 26-27's compiles)
#             at 8K, max-autotune + coordinate descent, in three processes with the order alternated (1 and 3 forward, 2 reversed),
#             so that inductor's per-compile picks and the order do not decide the comparison (session 27's review)
# First, here: `bash reports/scripts/stage_gpu.sh` and `PYTHONPATH=/tmp/trsite:. python reports/scripts/triton_compile_check.py`
# (every kernel path compiles for sm_90). Calls (tool calls of ONE message; the machine goes back 30 s after a call):
#   1 [.gpu/q1, .gpuw]: bash reports/scripts/session28_gpu.sh p1      2 [.gpu/q2]: ... p2      3 [.gpu/q3]: ... p3
#   4 [.emb/a]: ... emb      5 [.emb/b]: ... emb      6 [.gpu/q4, .gpu/w]: ... go
#   7..: bash reports/scripts/session28_gpu.sh collect 560     (each call packs R into $OUT/rt28.tgz)
set -u
M=${M:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}; R=${R:-/root/rt28}
export PYTHONUNBUFFERED=1 TQDM_DISABLE=1 HF_HUB_OFFLINE=1
case "${1:-}" in
quick)  # PART=4, in the foreground after p1, p2, p3 only (no MiniLM, ~1.5 min): the model assembled, the baselines (the default graph decode's
  # capture, after the argmax fix) and tritonc64+gemv not compiled (the cuBLAS head, refitted rule, two-stage argmax), into $OUT
  H=$PWD; cd /root/icmos-model && cat p1 p2 p3 $H/.gpu/q4/p > $M && rm p1 p2 p3; cd $H
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpu/w/*.whl 2>/dev/null
  echo "$(cat .gpu/q4/SHA256)  $M" | sha256sum -c || exit 3
  ICMOS_CACHE=/root/icmos-cache DV_TIMEOUT=150 SELFTEST_S=0 bash reports/scripts/decode_variants_gpu.sh --model $M --variants tritonc64+gemv \
    --contexts 8000 --top 0 --no-compile --tag eager_graph 2>&1 | tail -n 12;;  # with the baselines: hf_graph checks the default path's capture (argmax fix)
jobs)
  mkdir -p "$R"; date -u +%s > "$R/t0"; export PYTHONPATH=/tmp/site:$PWD
  if [ "${PART:-1}" = 3 ]; then  # third holding: gemv_config refitted, the LM head through cuBLAS after a Triton RMSNorm, two-stage argmax
    timeout 200 python3 reports/scripts/gemv_sweep.py --out "$R/gemv_sweep.csv" > "$R/gemv_sweep.log" 2>&1; echo "gemv_sweep rc $? $(date -u +%T)"
    OUT=$R/dec1 DV_TIMEOUT=200 SELFTEST_S=0 bash reports/scripts/decode_variants_gpu.sh --model $M --variants tritonc64+gemv --contexts 8000 --top 0 \
      --no-compile --tag eager_graph > "$R/dec1.log" 2>&1; echo "dec1 (tritonc64+gemv, not compiled, baselines) rc $? $(date -u +%T)"
    OUT=$R/dec2 DV_TIMEOUT=300 SELFTEST_S=0 bash reports/scripts/decode_variants_gpu.sh --model $M --variants tritonm64,tritonc64+gemv --contexts 8000 --top 0 \
      --no-baselines --compile-mode max-autotune-no-cudagraphs --coordinate-descent --tag maxat_cd --time-budget 200 > "$R/dec2.log" 2>&1; echo "dec2 rc $? $(date -u +%T)"
    OUT=$R/dec3 DV_TIMEOUT=120 SELFTEST_S=0 bash reports/scripts/decode_variants_gpu.sh --model $M --variants tritonc64+gemv --contexts 8000 --top 0 \
      --no-baselines --no-compile --tag eager_graph > "$R/dec3.log" 2>&1; echo "dec3 (tritonc64+gemv, not compiled) rc $? $(date -u +%T)"
    exit 0
  fi
  if [ "${PART:-1}" = 2 ]; then  # second holding: the write op takes the projection whole (no copies), the Triton GEMV
    timeout 240 python3 reports/scripts/decode_variants.py --selftest --device cuda > "$R/selftest.txt" 2>&1; echo "selftest rc $? $(date -u +%T)"
    timeout 240 python3 reports/scripts/gemv_sweep.py --out "$R/gemv_sweep.csv" > "$R/gemv_sweep.log" 2>&1; echo "gemv_sweep rc $? $(date -u +%T)"
    i=1
    for v in tritonc64+gemv,tritonc64,tritonm64 tritonm64,tritonc64,tritonc64+gemv; do
      OUT=$R/dec$i DV_TIMEOUT=${DEC_S:-300} SELFTEST_S=0 bash reports/scripts/decode_variants_gpu.sh --model $M --variants $v --contexts 8000 --top 0 \
        $([ $i = 1 ] || echo --no-baselines) --compile-mode max-autotune-no-cudagraphs --coordinate-descent --tag maxat_cd --time-budget ${DEC_BUDGET:-200} \
        > "$R/dec$i.log" 2>&1; echo "dec$i ($v) rc $? $(date -u +%T)"; i=$((i + 1))
    done
    OUT=$R/dec3 DV_TIMEOUT=120 SELFTEST_S=0 bash reports/scripts/decode_variants_gpu.sh --model $M --variants tritonc64+gemv --contexts 8000 --top 0 \
      --no-baselines --no-compile --tag eager_graph > "$R/dec3.log" 2>&1; echo "dec3 (tritonc64+gemv, not compiled) rc $? $(date -u +%T)"
    exit 0
  fi
  timeout 300 python3 reports/scripts/decode_variants.py --selftest --device cuda > "$R/selftest.txt" 2>&1; echo "selftest rc $? $(date -u +%T)"
  i=1
  fw=tritonm64,tritonc64,tritonc64+head,tritonc64+head+down; bw=tritonc64+head+down,tritonc64+head,tritonc64,tritonm64
  for v in $fw $bw $fw; do
    OUT=$R/dec$i DV_TIMEOUT=${DEC_S:-300} SELFTEST_S=0 bash reports/scripts/decode_variants_gpu.sh --model $M --variants $v --contexts 8000 --top 0 \
      $([ $i = 1 ] || echo --no-baselines) --compile-mode max-autotune-no-cudagraphs --coordinate-descent --tag maxat_cd --time-budget ${DEC_BUDGET:-200} \
      > "$R/dec$i.log" 2>&1; echo "dec$i ($v) rc $? $(date -u +%T)"; i=$((i + 1))
  done;;
*) SELF=reports/scripts/session28_gpu.sh R=$R WAIT_FOR="${WAIT_FOR:-[d]ecode_variants|[s]ession28_gpu.sh jobs}" bash reports/scripts/gpu_chain.sh "$@";;  # staging, go, collect
esac
