#!/bin/bash
# Read-path sweeps (reports/scripts/runtime_sweep.py) as background jobs on one GPU, after a solo write-speed run.
# Staging as in runtime_gpu.sh (calls 1-2), then:  call 3: carry [.emb, .gpuw]  bash reports/scripts/runtime_sweep_gpu.sh start TOTAL; ... collect WAIT
set -u
R=${R:-/root/sweep}; M=${M:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}
export ICMOS_CACHE=${ICMOS_CACHE:-/root/icmos-cache} PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 JAX_PLATFORMS=cpu PYTHONPATH=/tmp/site:$PWD
DEV=${DEV:-cuda}; DT=${DT:-bfloat16}; N=${N:-20}; N_BIG=${N_BIG:-10}; JOBS=${JOBS:-s1 s2 s3 s4 s5}
case "${1:-}" in
start)
  total=${2:-1200}; mkdir -p $R
  if [ -d .emb/minilm ]; then mkdir -p /root/emb && cp -r .emb/minilm/. /root/emb/; fi
  export ICMOS_EMBEDDER=/root/emb
  if [ -d .gpuw ]; then python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpuw/*.whl; fi
  S="timeout $total python3 reports/scripts/runtime_sweep.py --model $M --device $DEV --dtype $DT --n $N --time-limit $(( total - 120 ))"
  date -u +%s > $R/t0
  if [ -n "${SOLO:-}" ]; then  # uncontended write speed and query latency at $SOLO tokens, before the jobs
    timeout 300 python3 reports/scripts/runtime_sweep.py --model $M --device $DEV --dtype $DT --tasks niah_single --lengths $SOLO --n 3 --seed 300 --out $R/solo.jsonl > $R/solo.log 2>&1
    tail -c 300 $R/solo.log; python3 -c "
import json; [print(r['n_tokens'], round(r['n_tokens']/r['ingest_s']), 'tok/s', r['write_timings'], r['timings'], r['score']) for r in map(json.loads, open('$R/solo.jsonl'))]"
  fi
  job() { local name=$1; shift; case " $JOBS " in *" $name "*) ;; *) return;; esac; OMP_NUM_THREADS=2 setsid nohup bash -c "$*" > $R/$name.log 2>&1 < /dev/null & echo "started $name"; }
  V2="base=;keep=lookalikes:keep"
  job s1 "$S --tasks niah_multikey,blockfacts --lengths 32K --variants '$V2' --out $R/s1.jsonl"
  job s2 "$S --tasks niah_multivalue,hashhop --lengths 32K --variants '$V2' --out $R/s2.jsonl"
  job s3 "$S --tasks paraphrase,prose_2hop --lengths 32K --variants '$V2;c48=candidates:48' --out $R/s3.jsonl"
  job s4 "$S --tasks prose_needle,niah_single --lengths 32K --variants '$V2' --out $R/s4.jsonl"
  job s5 "$S --tasks paraphrase --lengths 1M --n $N_BIG --variants 'base=;c48=candidates:48;c96=candidates:96' --out $R/s5.jsonl"
  ;;
collect)
  wait_s=${2:-500}
  while [ $SECONDS -lt $wait_s ] && pgrep -f runtime_sweep.py > /dev/null; do sleep 5; done
  echo "elapsed since start: $(( $(date -u +%s) - $(cat $R/t0) ))s; running: $(pgrep -fc runtime_sweep.py)"
  for f in $R/*.log; do echo "--- $f"; tail -c 600 $f | tail -4; done
  python3 - <<PY
import json, glob, collections
agg = collections.defaultdict(list)
for f in glob.glob('$R/s*.jsonl'):
    for r in map(json.loads, open(f)): agg[(r['task'], r['length'], r['variant'])].append(r)
for k in sorted(agg):
    v = agg[k]; print(k, len(v), 'acc', round(sum(r['score'] for r in v)/len(v), 3), 'read', round(sum(r['read_recall'] for r in v)/len(v), 3),
                      'tok', round(sum(r['prompt_tokens'] for r in v)/len(v)))
PY
  tar -czf ${OUT:?}/sweep.tgz -C $(dirname $R) $(basename $R) && ls -la $OUT
  ;;
*) echo "usage: runtime_sweep_gpu.sh start TOTAL | collect WAIT" >&2; exit 2;;
esac
