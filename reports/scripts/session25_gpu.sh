#!/bin/bash
# Session 25 (2026-11-29) on one H200 (issue 12), on a copy of the tree, results in R (default /root/rt25):
#   solo  (alone on the GPU, first): v4's write path timed at 1M (ingest_host_ab.py, variant `new` = today's defaults, 5 reps),
#         a question over a 1M memory (`icmos` niah_single 1M, n = 3, seed 300) and decode against `full` at 6K (n = 10, seed 400),
#         the commands of runtime_speed.csv's v3 rows.
#   then, all at once (accuracy only: the timing columns are shared):
#     o_T   `icmos` against `icmos[top_k_open=2]`, every task at 32K, 128K and 1M, seeds 100-119, each sample written once
#           (the run named them `icmos,icmos[top_k_open=2]` while the default was 0; since 2 is the default they are named explicitly)
#           (runtime_paired.py; session24_gpu.sh open-jobs)
#     n128_*, n1m_*, n10m  v4 single needles at n >= 100: niah_single 128K seeds 20-119 (4 shards of 25), 1M seeds 20-99
#           (4 shards of 20), 10M from seed 20 (one process, as many as its time allows); runtime.csv holds seeds 0-19
# The calls, tool calls of ONE message (the machine goes back 30 s after a call; 64 MiB per call with the ~29 MB tree: never a
# model quarter and a MiniLM half together). Local staging first: `bash reports/scripts/stage_gpu.sh`.
#   1 [.gpu/q1, .gpuw]: bash reports/scripts/session25_gpu.sh p1      2 [.gpu/q2]: ... p2      3 [.gpu/q3]: ... p3
#   4 [.emb/a]: ... emb      5 [.emb/b]: ... emb
#   6 [.gpu/q4, .gpu/w]: bash reports/scripts/session25_gpu.sh go     # starts the chain; returns at once
#   7..: bash reports/scripts/session25_gpu.sh collect 560            # waits up to 560 s (or until every job ended), packs R
# Second holding (v5: top_k_open=2 by default): calls 1-5 again, then [.gpu/q4, .gpu/w] `R=/root/rt25b ... go2` and
#   `R=/root/rt25b ... collect 560` (see jobs2)
# Env: RT_S (the jobs' bound, 1000 s), SOLO_S (the solo phase's bound, 420 s), N (20), DEV/DT. CPU dry run:
#   DEV=cpu DT=float32 N=1 SMALL=1 R=/tmp/rt25 bash reports/scripts/session25_gpu.sh jobs
set -u
M=${M:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}; R=${R:-/root/rt25}; N=${N:-20}; DEV=${DEV:-cuda}; DT=${DT:-bfloat16}
export PYTHONUNBUFFERED=1 TQDM_DISABLE=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1
ICMOS="python3 -c 'import sys; from icmos.cli import main; sys.exit(main())'"
case "${1:-}" in
p1|p2|p3|emb) bash reports/scripts/session23_gpu.sh $1;;
go|go2)  # go: the first holding's chain (`jobs`); go2: the second's (`jobs2`; session 25 gave it R=/root/rt25b); on a copy of the tree
  MAG=0 bash reports/scripts/session23_gpu.sh ready || exit 3
  J=jobs; [ "$1" = go2 ] && J=jobs2
  D=$(mktemp -d /root/rt25tree.XXXX) && cp -r . $D && cd $D && mkdir -p $R && \
    ICMOS_CACHE=/root/icmos-cache ICMOS_EMBEDDER=/root/emb setsid nohup bash reports/scripts/session25_gpu.sh $J > $R/chain.log 2>&1 < /dev/null &
  sleep 2; echo "chain started"; cat $R/chain.log;;
jobs)  # the solo phase, then every job at once (each in its own process session)
  mkdir -p $R; date -u +%s > $R/t0; export PYTHONPATH=/tmp/site:$PWD
  [ "$DEV" = cpu ] || python3 -c "import torch; print(torch.cuda.get_device_name())"
  F="--device $DEV --dtype $DT --model $M --budget 2048 --no-progress"
  if [ "${SMALL:-0}" = 1 ]; then L1=8K; L2=16K; L10=32K; LO=8K; else L1=128K; L2=1M; L10=10M; LO=32K,128K,1M; fi
  s=${SOLO_S:-420}; echo "solo phase (bound $s s) $(date -u)"
  # without TOKENIZERS_PARALLELISM (exported above for the crowded jobs): session 25's first holding ran this phase with it set to
  # false, which serialises the write path's tokenizers (195K against 611K tok/s: session25_2026-11-29/solo_tokpar_off/)
  timeout $s env -u TOKENIZERS_PARALLELISM bash -c "
    ICMOS_MODEL=$M ICMOS_DEVICE=$DEV ICMOS_DTYPE=$DT python3 reports/scripts/ingest_host_ab.py --length $L2 --reps ${REPS:-5} --variants new \
      --out $R/solo_ingest.csv > $R/solo_ingest.log 2>&1; echo ingest rc \$?
    $ICMOS bench runtime $F --methods icmos --tasks niah_single --lengths $L2 --n 3 --seed 300 --max-new-tokens 40 \
      --out $R/solo.csv --samples-out $R/solo.jsonl > $R/solo.log 2>&1; echo solo rc \$?
    $ICMOS bench runtime $F --methods full,icmos --tasks niah_single --lengths 6K --n 10 --seed 400 --max-new-tokens 40 \
      --out $R/decode.csv --samples-out $R/decode.jsonl > $R/decode.log 2>&1; echo decode rc \$?"
  echo "solo phase over after $(( $(date -u +%s) - $(cat $R/t0) )) s"
  bound=${RT_S:-1000}
  job() { local name=$1; shift; OMP_NUM_THREADS=1 setsid nohup timeout $bound "$@" > $R/$name.log 2>&1 < /dev/null & echo "started $name (pid $!)"; }
  for t in ${TASKS:-paraphrase prose_2hop vardep hashhop niah_multivalue prose_needle blockfacts niah_multikey niah_single passkey}; do
    job o_$t python3 reports/scripts/runtime_paired.py --device $DEV --dtype $DT --model $M --max-new-tokens 48 --budget 2048 --n $N \
      --seed 100 --methods 'icmos[top_k_open=0],icmos[top_k_open=2]' --tasks $t --lengths $LO --out $R/o_$t.csv --samples-out $R/o_$t.jsonl
  done
  for i in 0 1 2 3; do
    job n128_$i bash -c "$ICMOS bench runtime $F --methods icmos --tasks niah_single --lengths $L1 --n ${N128:-25} --seed $((20 + i * ${N128:-25})) \
      --max-new-tokens 48 --out $R/n128_$i.csv --samples-out $R/n128_$i.jsonl"
    job n1m_$i bash -c "$ICMOS bench runtime $F --methods icmos --tasks niah_single --lengths $L2 --n ${N1M:-20} --seed $((20 + i * ${N1M:-20})) \
      --max-new-tokens 48 --time-limit $((bound - 120)) --out $R/n1m_$i.csv --samples-out $R/n1m_$i.jsonl"
  done
  job n10m bash -c "$ICMOS bench runtime $F --methods icmos --tasks niah_single --lengths $L10 --n ${N10M:-10} --seed 20 \
    --max-new-tokens 48 --time-limit $((bound - 200)) --out $R/n10m.csv --samples-out $R/n10m.jsonl"
  ;;
jobs2)  # solo timing again with the tokenizers' own threads (the first holding's solo phase ran with TOKENIZERS_PARALLELISM=false,
  # which serialises the write path's two tokenizer stages), then v5 = `top_k_open=2` by default: `icmos` alone on every task at
  # 8K, 32K, 128K (s_T) and 1M (b_T), seeds 0-19 (runtime.csv's questions; rag_hybrid and oracle rows do not depend on it)
  mkdir -p $R; date -u +%s > $R/t0; export PYTHONPATH=/tmp/site:$PWD
  [ "$DEV" = cpu ] || python3 -c "import torch; print(torch.cuda.get_device_name())"
  F="--device $DEV --dtype $DT --model $M --budget 2048 --no-progress"
  if [ "${SMALL:-0}" = 1 ]; then L2=16K; SL=2K; BL=4K; else L2=1M; SL=8K,32K,128K; BL=1M; fi
  s=${SOLO_S:-300}; echo "solo phase (bound $s s) $(date -u)"
  timeout $s env -u TOKENIZERS_PARALLELISM bash -c "
    ICMOS_MODEL=$M ICMOS_DEVICE=$DEV ICMOS_DTYPE=$DT python3 reports/scripts/ingest_host_ab.py --length $L2 --reps ${REPS:-5} --variants new,sentences \
      --out $R/solo_ingest.csv > $R/solo_ingest.log 2>&1; echo ingest rc \$?
    $ICMOS bench runtime $F --methods icmos --tasks niah_single --lengths $L2 --n 3 --seed 300 --max-new-tokens 40 \
      --out $R/solo.csv --samples-out $R/solo.jsonl > $R/solo.log 2>&1; echo solo rc \$?"
  echo "solo phase over after $(( $(date -u +%s) - $(cat $R/t0) )) s"
  bound=${RT_S:-600}
  job() { local name=$1; shift; OMP_NUM_THREADS=1 setsid nohup timeout $bound "$@" > $R/$name.log 2>&1 < /dev/null & echo "started $name (pid $!)"; }
  for t in ${TASKS:-paraphrase prose_2hop vardep hashhop niah_multivalue prose_needle blockfacts niah_multikey niah_single passkey}; do
    job s_$t bash -c "$ICMOS bench runtime $F --methods icmos --tasks $t --lengths $SL --n $N --seed 0 --max-new-tokens 48 \
      --out $R/s_$t.csv --samples-out $R/s_$t.jsonl"
    job b_$t bash -c "$ICMOS bench runtime $F --methods icmos --tasks $t --lengths $BL --n $N --seed 0 --max-new-tokens 48 \
      --out $R/b_$t.csv --samples-out $R/b_$t.jsonl"
  done;;
collect)  # waits up to WAIT s while any job runs (WAIT_FOR: a pgrep pattern), then packs R into $OUT/rt25.tgz (session26_gpu.sh uses it too)
  w=${2:-560}; pat=${WAIT_FOR:-'[r]untime_paired|[b]ench runtime|[i]ngest_host_ab'}
  while [ $SECONDS -lt $w ] && pgrep -f "$pat" > /dev/null; do sleep 5; done
  [ -f $R/t0 ] && echo "$(( $(date -u +%s) - $(cat $R/t0) )) s since start; running: $(pgrep -fc "$pat")"
  cat $R/chain.log 2>/dev/null | tail -30
  for f in $R/*.log; do echo "--- $f"; tr '\r' '\n' < $f | grep -v '^\s*$' | grep -v Warning | tail -${TAIL:-2}; done
  tar -czf ${OUT:?}/$(basename $R).tgz -C $(dirname $R) $(basename $R);;
*) echo "usage: session25_gpu.sh p1 | p2 | p3 | emb | go | jobs | go2 | jobs2 | collect WAIT" >&2; exit 2;;
esac
