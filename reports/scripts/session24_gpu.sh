#!/bin/bash
# Session 24 (2026-11-29) on one 2-GPU H200 host (`nvidia-h200-x2`: 32 cores; it counts in full, as the one-GPU kind did
# in session 23): two things at once, each on its own copy of the tree.
#   grid (issue 12): session 23's defaults (bare `icmos`: split=records, chain_extra=2, order=rank) with `rag_hybrid` and
#     `oracle` on every task at 8K, 32K, 128K and 1M, n = 20, seeds 0-19 (runtime.csv's seeds, so its other methods' rows
#     compare sample for sample), one `icmos bench runtime` process per task and length group; plus vardep at 128K with a
#     96-token answer cap (seeds 100-119, session 23's 48-token rows are the pair). Results /root/rt24.
#   mag (issue 17): `--address-loss` on the needle phase (session20_gpu.sh train on GPU 0; results /root/mag24), with the
#     CUDA tests of the graphed step (TESTS=1) in the background.
# Many processes share each GPU, so the timing columns (ingest_tok_s, query_s, decode_tok_s; MAG's steps/s) are not clean:
# accuracy, recall and the training curves are what this run is for.
# The calls, sent as tool calls of ONE message (the machine goes back 30 s after a call). A call carries 64 MiB with the tree
# (29 MB): never a model quarter and a MiniLM half together.
#   1 [.gpu/q1, .gpuw]: bash reports/scripts/session24_gpu.sh p1
#   2 [.gpu/q2]: ... p2        3 [.gpu/q3]: ... p3        4 [.emb/a]: ... emb        5 [.emb/b]: ... emb
#   6 [.gpu/q4, .gpu/w]: bash reports/scripts/session24_gpu.sh go            # starts the jobs; returns at once
#   7..: bash reports/scripts/session24_gpu.sh collect 560                    # waits up to 560 s (or until the jobs end), packs
# Env: MAG (1: start the MAG run; 0: the grid alone), RT_S (the grid jobs' bound, 1250 s), MAG_TOTAL (900), MAG_TRAIN (480),
#   N (20), TASKS, SLENS (8K,32K,128K), BLENS (1M), DEV/DT. Next session: the staging calls, then `open` (top_k_open=2
#   against the default) and `R=/root/rt25 bash reports/scripts/session24_gpu.sh collect WAIT`. CPU dry run:
#   DEV=cpu DT=float32 N=1 SLENS=2K BLENS=4K R=/tmp/rt24 TASKS='vardep passkey' GPUS=0 bash reports/scripts/session24_gpu.sh grid
set -u
M=${M:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}; R=${R:-/root/rt24}; N=${N:-20}; DEV=${DEV:-cuda}; DT=${DT:-bfloat16}
export PYTHONUNBUFFERED=1 TQDM_DISABLE=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1
case "${1:-}" in
p1|p2|p3|emb) bash reports/scripts/session23_gpu.sh $1;;
go)  # session 23's staging checks (and the MAG run, MAG=1), then the grid on a copy of the tree
  MAG_R=/root/mag24 MAG_SEED=2410000 bash reports/scripts/session23_gpu.sh ready || exit 3
  D=$(mktemp -d /root/rt24tree.XXXX) && cp -r . $D && cd $D && ICMOS_CACHE=/root/icmos-cache ICMOS_EMBEDDER=/root/emb \
    bash reports/scripts/session24_gpu.sh grid;;
grid)  # the runtime jobs, each in its own process session (they outlive the call); on the GPU from `go`'s tree copy
  mkdir -p $R; date -u +%s > $R/t0; export PYTHONPATH=/tmp/site:$PWD
  [ "$DEV" = cpu ] || python3 -c "import torch; print(torch.cuda.get_device_name(), torch.cuda.device_count())"
  bound=${RT_S:-1250}; k=0
  ng=$(nvidia-smi -L 2>/dev/null | wc -l); [ "$ng" -ge 2 ] && gpus=(${GPUS:-1 0}) || gpus=(${GPUS:-0})  # GPU 0 is MAG's
  F="--device $DEV --dtype $DT --model $M --budget 2048 --n $N --no-progress"
  job() { local name=$1 gpu=$2; shift 2; CUDA_VISIBLE_DEVICES=$gpu OMP_NUM_THREADS=1 setsid nohup timeout $bound \
            python3 -c 'import sys; from icmos.cli import main; sys.exit(main())' bench runtime $F "$@" \
            --out $R/$name.csv --samples-out $R/$name.jsonl > $R/$name.log 2>&1 < /dev/null & echo "started $name on GPU $gpu (pid $!)"; }
  for t in ${TASKS:-passkey niah_single niah_multikey niah_multivalue blockfacts hashhop vardep prose_needle paraphrase prose_2hop}; do
    job s_$t ${gpus[0]} --methods icmos,rag_hybrid,oracle --tasks $t --lengths ${SLENS:-8K,32K,128K} --seed 0 --max-new-tokens 48
    # the 1M cells: no new cell after bound - 300 s (a 1M cell of 20 samples takes minutes when 20 processes share the host)
    job b_$t ${gpus[$((k % ${#gpus[@]}))]} --methods icmos,rag_hybrid,oracle --tasks $t --lengths ${BLENS:-1M} --seed 0 \
      --max-new-tokens 48 --time-limit $((bound - 300)); k=$((k + 1))
  done
  job vardep96 ${gpus[0]} --methods 'icmos,oracle[order=reverse]' --tasks vardep --lengths ${VLENS:-128K} --seed 100 --max-new-tokens 96
  ;;
collect) R=$R MAG_R=/root/mag24 bash reports/scripts/session23_gpu.sh collect ${2:-280};;
open)  # next session (issue 12), after the staging calls: `top_k_open=2` against the default, on a copy of the tree (MAG=1 starts
  # the MAG run as `go` does)
  MAG=${MAG:-0} MAG_R=/root/mag25 MAG_SEED=2510000 bash reports/scripts/session23_gpu.sh ready || exit 3
  D=$(mktemp -d /root/rt25tree.XXXX) && cp -r . $D && cd $D && ICMOS_CACHE=/root/icmos-cache ICMOS_EMBEDDER=/root/emb \
    bash reports/scripts/session24_gpu.sh open-jobs;;
open-jobs)  # runtime_paired.py (each sample written once, both configs read it), every task at LENS (default 32K,128K,1M),
  # seeds SEED.. (default 100), one process per task; results in R (default /root/rt25): `R=/root/rt25 ... collect WAIT`
  R=${R:-/root/rt25}; mkdir -p $R; date -u +%s > $R/t0; export PYTHONPATH=/tmp/site:$PWD
  for t in ${TASKS:-paraphrase prose_2hop vardep hashhop niah_multivalue prose_needle blockfacts niah_multikey niah_single passkey}; do
    OMP_NUM_THREADS=1 setsid nohup timeout ${RT_S:-1250} python3 reports/scripts/runtime_paired.py --device $DEV --dtype $DT --model $M \
      --max-new-tokens 48 --budget 2048 --n $N --seed ${SEED:-100} --methods 'icmos[top_k_open=0],icmos[top_k_open=2]' --tasks $t --lengths ${LENS:-32K,128K,1M} \
      --out $R/o_$t.csv --samples-out $R/o_$t.jsonl > $R/o_$t.log 2>&1 < /dev/null & echo "started o_$t (pid $!)"
  done;;
*) echo "usage: session24_gpu.sh p1 | p2 | p3 | emb | go | grid | open | open-jobs | collect WAIT" >&2; exit 2;;
esac
