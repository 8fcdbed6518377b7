#!/bin/bash
# Session 26 (2026-11-29) on one H200, on a copy of the tree, results in R (default /root/rt26):
#   decA  issue 13: decode_variants.py at 8K, batch 1, one process, inductor max-autotune + coordinate descent (the settings of
#         the 981 tok/s row, speed_decode_autotune.csv): split-K 32 in torch ops (the reference) against the Triton flash-decoding
#         kernel (icmos.core.load_triton_attention) as variants triton64 and triton128 (44 and 65 chunks at 8K; triton32 too in the first
#         holding); its --selftest (Triton and the other kernels vs SDPA on random tensors, float32 and bfloat16, on the GPU) first
#   decB  the Triton kernel under the default compile mode (shorter compiles), 8K and 1K
#   (the first holding, 21:59-22:09 UTC, also ran triton32 in decA and triton128 in decB; its files were lost when the machine went
#   back before they were packed: the printed rows are in the session folder's README, measured again in the second holding)
#   first_q  issue 12: reports/scripts/first_question_probe.py at 1M, 3 documents x 4 questions, alone on the GPU, with the
#         tokenizers' own threads (is the slow first question over 1M warm-up or that question's work?)
#   needles  then v5 niah_single at 10M, 8 shards at once (see the case below)
# The jobs run one after another (each alone on the GPU). Calls, tool calls of ONE message (the machine goes back 30 s after a
# call; 64 MiB per call with the ~29 MB tree): local staging first, `bash reports/scripts/stage_gpu.sh`; then
#   1 [.gpu/q1, .gpuw]: bash reports/scripts/session26_gpu.sh p1      2 [.gpu/q2]: ... p2      3 [.gpu/q3]: ... p3
#   4 [.emb/a]: ... emb      5 [.emb/b]: ... emb
#   6 [.gpu/q4, .gpu/w]: bash reports/scripts/session26_gpu.sh go     # starts the chain; returns at once
#   7..: bash reports/scripts/session26_gpu.sh collect 560            # waits up to 560 s while the chain or the shards run, packs R
#   (the session ran `NEEDLES_S=1200 ... go` and `WAIT_FOR='[b]ench runtime' ... collect 390`: see the results folder's README)
# CPU dry run of the chain's commands (Triton's interpreter; slow): see the session's README.
set -u
M=${M:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}; R=${R:-/root/rt26}
export PYTHONUNBUFFERED=1 TQDM_DISABLE=1 HF_HUB_OFFLINE=1
case "${1:-}" in
p1|p2|p3|emb) bash reports/scripts/session23_gpu.sh $1;;
go)
  MAG=0 bash reports/scripts/session23_gpu.sh ready || exit 3
  D=$(mktemp -d $R.tree.XXXX) && cp -r . "$D" && cd "$D" && mkdir -p "$R" || { echo "could not copy the tree to $D" >&2; exit 3; }
  # SELF: the script whose `jobs` the chain runs (session27_gpu.sh's go comes here)
  ICMOS_CACHE=/root/icmos-cache ICMOS_EMBEDDER=/root/emb setsid nohup bash ${SELF:-reports/scripts/session26_gpu.sh} jobs > "$R/chain.log" 2>&1 < /dev/null &
  sleep 2; echo "chain started"; cat $R/chain.log;;
jobs)
  mkdir -p $R; date -u +%s > $R/t0; export PYTHONPATH=/tmp/site:$PWD
  echo "decA $(date -u +%T)"
  OUT=$R/decA DV_TIMEOUT=${DECA_S:-600} SELFTEST_S=180 bash reports/scripts/decode_variants_gpu.sh --model $M --variants ${DECA_VARIANTS:-splitk32,triton64,triton128} \
    --contexts 8000 --top 0 --compile-mode max-autotune-no-cudagraphs --coordinate-descent --tag maxat_cd --time-budget ${DECA_BUDGET:-470} > $R/decA.log 2>&1
  echo "decA rc $? $(date -u +%T)"
  OUT=$R/decB DV_TIMEOUT=${DECB_S:-300} SELFTEST_S=0 bash reports/scripts/decode_variants_gpu.sh --model $M --variants ${DECB_VARIANTS:-triton64} \
    --contexts 8000,1000 --top 0 --time-budget ${DECB_BUDGET:-200} > $R/decB.log 2>&1
  echo "decB rc $? $(date -u +%T)"
  timeout ${FIRSTQ_S:-420} python3 reports/scripts/first_question_probe.py --device cuda --dtype bfloat16 --model $M --length 1M --docs 3 \
    --questions 4 --out $R/first_q.csv > $R/first_q.log 2>&1
  echo "first_q rc $? $(date -u +%T)"
  [ "${NEEDLES:-1}" = 1 ] && bash reports/scripts/session26_gpu.sh needles;;
needles)  # after the chain: v5 niah_single at 10M, seeds 20 + 13 i .. (8 shards of 13: 104 questions), all at once (accuracy only:
  # the timing columns are a crowded machine's), each bounded by --time-limit (rows are written per shard at its end; samples as they go)
  D=$(mktemp -d /root/rt26n.XXXX) && cp -r . $D && cd $D && export PYTHONPATH=/tmp/site:$PWD ICMOS_CACHE=/root/icmos-cache ICMOS_EMBEDDER=/root/emb
  for i in 0 1 2 3 4 5 6 7; do
    TOKENIZERS_PARALLELISM=false OMP_NUM_THREADS=1 setsid nohup timeout ${NEEDLES_S:-1500} python3 -c 'import sys; from icmos.cli import main; sys.exit(main())' \
      bench runtime --device cuda --dtype bfloat16 --model $M --budget 2048 --no-progress --methods icmos --tasks niah_single --lengths 10M \
      --n ${N10M:-13} --seed $((20 + i * ${N10M:-13})) --max-new-tokens 48 --time-limit $(( ${NEEDLES_S:-1500} - 150 )) \
      --out $R/n10m_$i.csv --samples-out $R/n10m_$i.jsonl > $R/n10m_$i.log 2>&1 < /dev/null &
  done; sleep 5; echo "started 8 shards: $(pgrep -fc '^python3 -c') processes";;
collect)  # waits up to WAIT s while the chain runs (WAIT_FOR: a pgrep pattern), then packs R into $OUT/rt26.tgz
  # a pattern needs the [x] trick (or it matches this command line itself); the default waits for the chain and the needle shards
  WAIT_FOR="${WAIT_FOR:-[d]ecode_variants|[f]irst_question_probe|[s]ession26_gpu.sh jobs|[b]ench runtime}" TAIL=4 R=$R bash reports/scripts/session25_gpu.sh collect "${2:-560}";;
*) echo "usage: session26_gpu.sh p1 | p2 | p3 | emb | go | jobs | needles | collect WAIT" >&2; exit 2;;
esac
