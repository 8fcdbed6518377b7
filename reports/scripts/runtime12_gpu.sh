#!/bin/bash
# Issue 12 on one GPU of a shared host (2026-11-27, session 9): the `keep_dense` guard for paraphrases and long answers under a
# KV policy. Jobs run at once in their own process sessions (they outlive the device call); `collect` packs what they wrote.
#   after the staging calls (../shared/gpu/stage-smollm2.sh) and with carry [.emb, .gpuw]:
#     G=3 bash reports/scripts/runtime12_gpu.sh start 1080     # jobs bounded by 1080 s
#     bash reports/scripts/runtime12_gpu.sh collect 560       # any later call: wait up to 560 s into it, pack $R into $OUT/rt12.tgz
# Env: G (GPU index, 0), R (results, /root/rt12), M (model), N (samples per cell, 20), DEV/DT (CPU dry run: DEV=cpu DT=float32 N=1
#   LENS=2K BIG=4K LB=192 M=smollm2 R=/tmp/rt12).
set -u
R=${R:-/root/rt12}; M=${M:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}; G=${G:-0}; N=${N:-20}; DEV=${DEV:-cuda}; DT=${DT:-bfloat16}
LENS=${LENS:-128K}; BIG=${BIG:-1M}
export ICMOS_CACHE=${ICMOS_CACHE:-/root/icmos-cache} PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 JAX_PLATFORMS=cpu TQDM_DISABLE=1
case "${1:-}" in
start)
  total=${2:-1080}; mkdir -p $R
  if [ -d .emb/minilm ]; then mkdir -p /root/emb && cp -r .emb/minilm/. /root/emb/; export ICMOS_EMBEDDER=/root/emb; fi
  if [ -d .gpuw ] && [ ! -f /tmp/site/.gpuw_done ]; then python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpuw/*.whl && touch /tmp/site/.gpuw_done; fi
  export PYTHONPATH=/tmp/site:$PWD CUDA_VISIBLE_DEVICES=$G
  python3 -c "from icmos.core import load_model, ICMOSConfig; load_model(ICMOSConfig(model='$M', device='cpu')); print('model converted')" || exit 3
  date -u +%s > $R/t0
  ICM="python3 -c 'import sys; from icmos.cli import main; sys.exit(main())'"
  B="timeout $total $ICM bench runtime --model $M --device $DEV --dtype $DT --max-new-tokens 40 --n $N --budget 2048 --no-progress --time-limit $(( total - 120 ))"
  job() { local name=$1; shift; OMP_NUM_THREADS=4 setsid nohup bash -c "$*" > $R/$name.log 2>&1 < /dev/null & echo "started $name (pid $!)"; }
  # k1: the guard on paraphrase, against the default and the strong RAG on the same samples
  job k1 "$B --methods 'icmos,icmos[keep_dense=1],icmos[keep_dense=2],rag_hybrid' --tasks paraphrase --lengths $LENS,$BIG --out $R/k1.csv --samples-out $R/k1.jsonl"
  # k2: does the guard cost the other tasks a slot? (the default icmos rows of these cells are in runtime.csv, same seeds)
  job k2 "$B --methods 'icmos[keep_dense=1]' --tasks prose_2hop,niah_multikey,blockfacts,niah_multivalue,prose_needle,niah_single --lengths $LENS --out $R/k2.csv --samples-out $R/k2.jsonl"
  # k3: where the fact is lost at 1M, per read-path setting, on one memory per sample (ranks + read recall + answers)
  job k3 "timeout $total python3 reports/scripts/read_path_probe.py --task paraphrase --length $BIG --n $N --decode --device $DEV --dtype $DT \
    --variants 'default;keep_dense=1;keep_dense=2;chains=1;hops=1;margin=10' --model $M --out $R/k3_probe.csv"
  # k4: long answers: the device KV held at the budget while the answer runs past it (eager decoding with eviction) vs none
  job k4 "bash reports/scripts/runtime12_gpu.sh long > $R/k4.jsonl"
  ;;
long)  # one JSON line per (policy, budget): answer length, KV held, decode tok/s
  ICM="python3 -c 'import sys; from icmos.cli import main; sys.exit(main())'"
  python3 -c "from icmos.cli import passkey_document; t, q, k = passkey_document(90000, seed=7); open('$R/long_doc.txt', 'w').write(t)"
  Q='Describe everything this document talks about, in as many sentences as you can.'
  for b in ${LB:-512 2048}; do
    for pol in none streaming tova snapkv; do
      mn=$(( b * 2 )); [ $pol = none ] && mn=$(( b / 2 ))
      out=$(eval "$ICM ask $R/long_doc.txt '$Q' --method icmos --kv-policy $pol --budget $b --max-new-tokens $mn --model $M --device $DEV --dtype $DT --json --quiet" 2> $R/k4_err.txt | tail -1)
      echo "{\"policy\": \"$pol\", \"budget\": $b, \"max_new\": $mn, \"result\": ${out:-null}}"
    done
  done
  ;;
collect)
  wait_s=${2:-560}
  while [ $SECONDS -lt $wait_s ] && pgrep -f '[b]ench runtime|[r]ead_path_probe|runtime12_gpu.sh long' > /dev/null; do sleep 5; done
  echo "elapsed since start: $(( $(date -u +%s) - $(cat $R/t0) ))s; running: $(pgrep -fc '[b]ench runtime|[r]ead_path_probe|runtime12_gpu.sh long')"
  for f in $R/*.log; do echo "--- $f"; tail -c 800 $f | tr '\r' '\n' | grep -v '^\s*$' | tail -4; done
  tar -czf ${OUT:?}/rt12.tgz -C $(dirname $R) --exclude=long_doc.txt $(basename $R) && ls -la $OUT
  ;;
*) echo "usage: runtime12_gpu.sh start TOTAL | long | collect WAIT" >&2; exit 2;;
esac
