#!/bin/bash
# The write side at GPU scale (issue 15, next step of nbs/reports/2026-11-27_writer.ipynb): reconstruction pretraining of
# the writer (Head B alone, as the In-context Autoencoder does), then Head A with its hard negatives on top, the distiller,
# and the held-out eval. One background job in its own process session, so it outlives the device call that starts it.
#   the model: ../shared/gpu/stage-smollm2.sh's two staging calls; MiniLM (.emb/minilm) and the wheels (.gpuw) by a call
#   between them that runs `bash reports/scripts/writer_gpu.sh stage` (a call carries 64 MiB at most), then:
#     bash reports/scripts/writer_gpu.sh start [TOTAL_S]     # then, back to back while it runs:
#     bash reports/scripts/writer_gpu.sh collect [WAIT_S]    # $WRES into $OUT: wres.tgz (CSV rows, histories, logs) + RUN_PART.safetensors
# Each stage has its own time slice, an absolute end (seconds after start) that its --max-minutes is computed from:
# training stops in time to save its checkpoint and history; a stage that ends early leaves its time to the next;
# the evals always get theirs. The whole job ends within TOTAL_S (default 1260 s = 21 min).
# CPU smoke test of the same path: SMOKE=1 ICMOS_DEVICE=cpu WRES=/tmp/wres bash reports/scripts/writer_gpu.sh start; ... collect
# PLAN=v2 (session 19): reconstruction pretraining alone for longer (run 1 found Head A's keys worse and Head B's loss still
# falling), its distiller, the held-out eval with the MiniLM / BM25 baselines of the same run, and then the runtime end to end
# at 128K (writer_runtime_eval.py: rankers bm25+minilm against bm25+minilm+distilled, held-out paraphrase templates, n = 20).
set -u
R=${WRES:-/root/wres}
export ICMOS_CACHE=${ICMOS_CACHE:-/root/icmos-cache} PYTHONUNBUFFERED=1 TQDM_DISABLE=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
export ICMOS_DEVICE=${ICMOS_DEVICE:-cuda}
M=/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf; [ -f $M ] && export ICMOS_MODEL=$M
if [ -d .emb/minilm ]; then mkdir -p /root/emb && cp -r .emb/minilm/. /root/emb/; fi
[ -f /root/emb/config.json ] && export ICMOS_EMBEDDER=/root/emb
[ -d .gpuw ] && [ ! -f /tmp/site/.gpuw_done ] && python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpuw/*.whl && touch /tmp/site/.gpuw_done
export PYTHONPATH=/tmp/site:$PWD
S="python3 reports/scripts/writer_run.py"
X=${WEX:-/root/wex}/train.json   # training examples: outside $R, not packed (tens of MB)
if [ "${SMOKE:-0}" = 1 ]; then  # CPU-sized: the same stages, a few steps each
  G=12; W="--block-tokens 96 --n-tokens 8 --groups $G --batch 4 --recon-tokens 16 --log-every 2"
  IX="--groups $G --index-steps 20 --index-batch 4 --log-every 5"; EV="--test-groups 4 --pool 20 --qa 2"
  WK=2; STEPS=4; WARM=1; TOTAL=${2:-600}; END=(60 150 240 300 390 450 540); RTL=4K; RTN=2
  [ "${PLAN:-v1}" = v2 ] && END=(60 150 240 330 560)
else
  G=16000; W="--block-tokens 128 --n-tokens 8 --groups $G --batch 64 --recon-tokens 48 --log-every 20"
  IX="--groups $G --index-steps 20000 --index-batch 256 --log-every 100"; EV="--test-groups 400 --pool 10000 --qa 50"
  WK=14; STEPS=100000; WARM=100; TOTAL=${2:-1260}
  # stage ends, seconds after start: examples, pretrain (Head B), Head A, index, eval, index (pretrained), eval (pretrained)
  END=(120 410 740 850 1030 1120 1245); RTL=128K; RTN=20
  # v2: examples, pretrain (Head B), index, eval (with baselines), runtime end to end
  [ "${PLAN:-v1}" = v2 ] && END=(120 660 790 970 1240) && TOTAL=${2:-1250}
fi
# run STAGE_END_S ARGS...: the stage with --max-minutes up to its end, under a timeout 20 s past it (the safety net)
run() {
  local end=$(( $(cat $R/t0) + $1 )); shift; local left=$(( end - $(date -u +%s) ))
  [ $left -lt 15 ] && left=15
  echo "== $(( $(date -u +%s) - $(cat $R/t0) ))s: $* (budget ${left}s)"
  timeout $(( left + 20 )) $S "$@" --max-minutes $(python3 -c "print(round($left / 60, 3))"); local rc=$?
  echo "== $(( $(date -u +%s) - $(cat $R/t0) ))s: exit $rc"
}
case "${1:-}" in
stage)  # the middle staging call: MiniLM and the wheels are in place (done above); nothing else
  ls /root/emb /tmp/site | head -20;;
start)
  mkdir -p $R $(dirname $X); date -u +%s > $R/t0
  export -f run; export R S X W IX EV WK STEPS WARM
  # both plans begin with the examples and reconstruction pretraining (Head B alone)
  JOB="
    run ${END[0]} examples --out $R --examples $X --groups $G --workers $WK $(echo $W | grep -o -- '--block-tokens [0-9]*')
    run ${END[1]} writer --out $R/pre $W --examples $X --workers $WK --steps $STEPS --warmup $WARM --lr 1e-3 --explain-weight 0 --recon-weight 1"
  if [ "${PLAN:-v1}" = v2 ]; then
  JOB+="
    run ${END[2]} index --out $R/pre $IX --examples $X --workers $WK
    run ${END[3]} eval --out $R/pre $EV --tag recon-only-writer-v2 --csv $R/writer.csv
    echo \"== \$(( \$(date -u +%s) - \$(cat $R/t0) ))s: runtime end to end, $RTL\"
    left=\$(( $(cat $R/t0) + ${END[4]} - \$(date -u +%s) )); [ \$left -lt 30 ] && left=30
    timeout \$left python3 reports/scripts/writer_runtime_eval.py --encoder-dir $R/pre --length $RTL --n $RTN \
      --rankers 'bm25,minilm;bm25,minilm,distilled' --out $R/writer_runtime.csv"
  else
  JOB+="
    run ${END[2]} writer --out $R/w $W --examples $X --workers $WK --steps $STEPS --warmup $WARM --lr 3e-4 --init $R/pre
    run ${END[3]} index --out $R/w $IX --examples $X --workers $WK
    run ${END[4]} eval --out $R/w $EV --csv $R/writer.csv
    run ${END[5]} index --out $R/pre $IX --examples $X --workers $WK
    run ${END[6]} eval --out $R/pre $EV --tag recon-only-writer --no-baselines --csv $R/writer.csv"
  fi
  setsid nohup timeout $TOTAL bash -c "$JOB
    echo \"== job done: \$(( \$(date -u +%s) - \$(cat $R/t0) ))s\"
  " > $R/job.log 2>&1 < /dev/null &
  echo $! > $R/pid; echo "started (pid $!), ends within ${TOTAL}s";;
collect)
  wait_s=${2:-570}
  while [ $SECONDS -lt $wait_s ] && kill -0 $(cat $R/pid) 2>/dev/null; do sleep 5; done
  echo "elapsed since start: $(( $(date -u +%s) - $(cat $R/t0) ))s; running: $(kill -0 $(cat $R/pid) 2>/dev/null && echo yes || echo no)"
  grep '^==' $R/job.log; tail -4 $R/job.log; cat $R/writer.csv $R/writer_runtime.csv 2>/dev/null
  nvidia-smi --query-gpu=name,memory.used --format=csv,noheader 2>/dev/null
  # histories, rows, logs, configs in one tarball; each checkpoint's weights (9 MB) as its own file (16 MiB a file come back)
  tar czf ${OUT:?set OUT}/wres.tgz --exclude='*.safetensors' -C $R .
  for f in $R/*/*/model.safetensors; do [ -f $f ] && cp $f $OUT/$(basename $(dirname $(dirname $f)))_$(basename $(dirname $f)).safetensors; done
  ls -la $OUT;;
*) echo "usage: writer_gpu.sh stage | start [TOTAL_S] | collect [WAIT_S]" >&2; exit 2;;
esac
