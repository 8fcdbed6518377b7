#!/bin/bash
# Session 27's GPU work (prepared in session 26; run in session 27 in four holdings, results in reports/results/session27_2026-11-30/).
# Part 1: one H200, a copy of the tree, results in R (default /root/rt27):
#   sweep    issue 13: reports/scripts/triton_attention_sweep.py, the Triton attention's launch settings timed alone (8,320 and 1,024 slots)
#   firstq   issue 12: first_question_probe.py at 1M twice, each in a fresh process: all SDPA backends with --compare-rerank, then
#            --sdpa no-cudnn (does excluding cuDNN's attention remove the slow first retrievals, and does the re-rank change?)
#   needles  issue 12: the 26 v5 niah_single questions at 10M that session 26's shards did not reach (n = 104 with its 78), 8 shards at once
# The chain runs sweep and firstq alone on the GPU, then the shards. Calls (tool calls of ONE message; the machine goes back 30 s after a
# call, so never leave a gap between calls): `bash reports/scripts/stage_gpu.sh` here first, then
#   1 [.gpu/q1, .gpuw]: bash reports/scripts/session27_gpu.sh p1      2 [.gpu/q2]: ... p2      3 [.gpu/q3]: ... p3
#   4 [.emb/a]: ... emb      5 [.emb/b]: ... emb      6 [.gpu/q4, .gpu/w]: ... go
#   7..: bash reports/scripts/session27_gpu.sh collect 560     (repeat until the shards end; each call packs R into $OUT/rt27.tgz)
# Part 4 (the fourth holding): the same staging, `PART=4 ... go`, `PART=4 ... collect 300`: tritonm64 against tritonc64 (write=True), then triton64 (torch merge) if time allows.
# Part 3 (the third holding): the same staging, `PART=3 ... go`, `PART=3 ... collect 500`: the rewritten merges' decode and sweep.
# Part 2 (session 27's second holding, after the changes the first one led to; the same staging calls, then
# `PART=2 bash reports/scripts/session27_gpu.sh go` and `R=/root/rt27b bash reports/scripts/session27_gpu.sh collect 560` calls):
#   dec      issue 13: decode at 8K in one process, max-autotune: triton64 (session 26's best) against the chunks merged by a
#            second Triton kernel (tritonm64) or by the last program of the same kernel (tritonf64, tritonf128w2: the sweep's
#            best launch)
#   sweep2   the Triton attention alone at 8,320 slots with the three merges
#   firstq   the first-question probe with the package's new default (RuntimeConfig.attention='no-cudnn')
#   grid     issue 12: `icmos` (no cuDNN) against `icmos[attention=all]` on paraphrase, prose_2hop, niah_single at 1M,
#            8 shards of 5 seeds from 200 (n = 40 per cell, paired; timings crowded)
set -u
M=${M:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}; R=${R:-/root/rt27$(case "${PART:-1}" in 2) echo b;; 3) echo c;; 4) echo d;; esac)}
export PYTHONUNBUFFERED=1 TQDM_DISABLE=1 HF_HUB_OFFLINE=1
case "${1:-}" in
p1|p2|p3|emb) bash reports/scripts/session23_gpu.sh $1;;
go) SELF=reports/scripts/session27_gpu.sh R=$R bash reports/scripts/session26_gpu.sh go;;  # the model staged, the tree copied, `jobs` started
jobs)
  mkdir -p "$R"; date -u +%s > "$R/t0"; export PYTHONPATH=/tmp/site:$PWD
  if [ "${PART:-1}" = 4 ]; then  # RoPE and the K/V cache write inside the attention kernel (load_triton_attention(write=True)); short: the last device minutes
    echo "dec $(date -u +%T)"
    OUT=$R/dec DV_TIMEOUT=${DEC_S:-280} SELFTEST_S=0 bash reports/scripts/decode_variants_gpu.sh --model $M --variants ${DEC_VARIANTS:-tritonm64,tritonc64,triton64} \
      --contexts 8000 --top 0 --no-baselines --compile-mode max-autotune-no-cudagraphs --coordinate-descent --tag maxat_cd --time-budget ${DEC_BUDGET:-200} \
      > "$R/dec.log" 2>&1; echo "dec rc $? $(date -u +%T)"; exit 0
  fi
  if [ "${PART:-1}" = 3 ]; then  # the merges rewritten after part 2 (one load per query row instead of a loop over chunk tiles)
    echo "dec $(date -u +%T)"
    OUT=$R/dec DV_TIMEOUT=${DEC_S:-420} SELFTEST_S=90 bash reports/scripts/decode_variants_gpu.sh --model $M \
      --variants ${DEC_VARIANTS:-triton64,tritonm64,tritonf64,tritonf32} --contexts 8000 --top 0 --compile-mode max-autotune-no-cudagraphs \
      --coordinate-descent --tag maxat_cd --time-budget ${DEC_BUDGET:-300} > "$R/dec.log" 2>&1; echo "dec rc $? $(date -u +%T)"
    timeout 120 python3 reports/scripts/triton_attention_sweep.py --lengths 8320 --splits 32,64,128 --blocks 64 --warps 4 --stages 0 \
      --merges torch,triton,fused --out "$R/triton_sweep3.csv" > "$R/sweep3.log" 2>&1; echo "sweep3 rc $? $(date -u +%T)"; exit 0
  fi
  if [ "${PART:-1}" = 2 ]; then
    echo "dec $(date -u +%T)"
    OUT=$R/dec DV_TIMEOUT=${DEC_S:-420} SELFTEST_S=120 bash reports/scripts/decode_variants_gpu.sh --model $M \
      --variants ${DEC_VARIANTS:-triton64,tritonm64,tritonf64,tritonf128w2} --contexts 8000 --top 0 --compile-mode max-autotune-no-cudagraphs \
      --coordinate-descent --tag maxat_cd --time-budget ${DEC_BUDGET:-330} > "$R/dec.log" 2>&1; echo "dec rc $? $(date -u +%T)"
    timeout 120 python3 reports/scripts/triton_attention_sweep.py --lengths 8320 --splits 64,128 --blocks 64 --warps 2,4 --stages 0 \
      --merges torch,triton,fused --out "$R/triton_sweep2.csv" > "$R/sweep2.log" 2>&1; echo "sweep2 rc $? $(date -u +%T)"
    timeout 240 python3 reports/scripts/first_question_probe.py --device cuda --dtype bfloat16 --model $M --length 1M --docs 2 \
      --questions 4 --sdpa no-cudnn --out "$R/first_q_pkg.csv" > "$R/first_q_pkg.log" 2>&1; echo "first_q pkg rc $? $(date -u +%T)"
    bash reports/scripts/session27_gpu.sh grid; exit 0
  fi
  echo "sweep $(date -u +%T)"
  timeout ${SWEEP_S:-420} python3 reports/scripts/triton_attention_sweep.py --out "$R/triton_sweep.csv" > "$R/sweep.log" 2>&1; echo "sweep rc $? $(date -u +%T)"
  for mode in all no-cudnn; do
    x=; [ $mode = all ] && x=--compare-rerank
    timeout ${FIRSTQ_S:-300} python3 reports/scripts/first_question_probe.py --device cuda --dtype bfloat16 --model $M --length 1M --docs 2 \
      --questions 4 --sdpa $mode $x --out "$R/first_q_$mode.csv" > "$R/first_q_$mode.log" 2>&1; echo "first_q $mode rc $? $(date -u +%T)"
  done
  [ "${NEEDLES:-1}" = 1 ] && bash reports/scripts/session27_gpu.sh needles;;
needles)  # the missing seeds of session 26's shards (its README), one shard per range, all at once (accuracy only: crowded timings)
  [ -n "${PYTHONPATH:-}" ] || export PYTHONPATH=/tmp/site:$PWD ICMOS_CACHE=/root/icmos-cache ICMOS_EMBEDDER=/root/emb
  i=0
  for r in 30:3 43:3 55:4 69:3 82:3 95:3 108:3 120:4; do
    TOKENIZERS_PARALLELISM=false OMP_NUM_THREADS=1 setsid nohup timeout ${NEEDLES_S:-900} python3 -c 'import sys; from icmos.cli import main; sys.exit(main())' \
      bench runtime --device cuda --dtype bfloat16 --model $M --budget 2048 --no-progress --methods icmos --tasks niah_single --lengths 10M \
      --n ${r#*:} --seed ${r%:*} --max-new-tokens 48 --out "$R/n10m_$i.csv" --samples-out "$R/n10m_$i.jsonl" > "$R/n10m_$i.log" 2>&1 < /dev/null &
    i=$((i + 1))
  done; sleep 5; echo "started $i shards: $(pgrep -fc '^python3 -c') processes";;
grid)  # part 2: the paired attention grid at 1M, 8 shards at once (accuracy; the timings are a crowded machine's)
  [ -n "${PYTHONPATH:-}" ] || export PYTHONPATH=/tmp/site:$PWD ICMOS_CACHE=/root/icmos-cache ICMOS_EMBEDDER=/root/emb
  for i in 0 1 2 3 4 5 6 7; do
    TOKENIZERS_PARALLELISM=false OMP_NUM_THREADS=1 setsid nohup timeout ${GRID_S:-560} python3 -c 'import sys; from icmos.cli import main; sys.exit(main())' \
      bench runtime --device cuda --dtype bfloat16 --model $M --budget 2048 --no-progress --methods 'icmos,icmos[attention=all]' \
      --tasks paraphrase,prose_2hop,niah_single --lengths 1M --n 5 --seed $((200 + 5 * i)) --max-new-tokens 48 --time-limit $(( ${GRID_S:-560} - 120 )) \
      --out "$R/grid_$i.csv" --samples-out "$R/grid_$i.jsonl" > "$R/grid_$i.log" 2>&1 < /dev/null &
  done; sleep 5; echo "started 8 grid shards: $(pgrep -fc '^python3 -c') processes";;
collect)  # waits up to WAIT s while the chain or the shards run, then packs R into $OUT/rt27.tgz
  WAIT_FOR="${WAIT_FOR:-[d]ecode_variants|[t]riton_attention_sweep|[f]irst_question_probe|[s]ession27_gpu.sh jobs|[b]ench runtime}" TAIL=4 R=$R bash reports/scripts/session25_gpu.sh collect "${2:-560}";;
*) echo "usage: [PART=2] session27_gpu.sh p1 | p2 | p3 | emb | go | jobs | needles | grid | collect WAIT" >&2; exit 2;;
esac
