#!/bin/bash
# The write side at GPU scale (issue 15, next step of nbs/reports/2026-11-27_writer.ipynb): reconstruction pretraining of
# the writer (Head B alone, as the In-context Autoencoder does), then Head A with its hard negatives on top, the distiller,
# and the held-out eval. One background job in its own process session, so it outlives the device call that starts it.
#   after the two staging calls of ../shared/gpu/stage-smollm2.sh, carry [.emb, .gpuw]:
#     bash reports/scripts/writer_gpu.sh start [TOTAL_S]     # then, while warm:
#     bash reports/scripts/writer_gpu.sh collect [WAIT_S]    # packs /root/wres into $OUT/wres.tgz (CSV rows + histories)
# Sizes are a first guess for ~25 min of an H100 (bf16; the CPU run took 4-5 s per 6-example step).
set -u
R=/root/wres; M=/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf
export ICMOS_CACHE=/root/icmos-cache PYTHONUNBUFFERED=1 TQDM_DISABLE=1 HF_HUB_OFFLINE=1 ICMOS_MODEL=$M ICMOS_DEVICE=cuda
if [ -d .emb/minilm ]; then mkdir -p /root/emb && cp -r .emb/minilm/. /root/emb/; export ICMOS_EMBEDDER=/root/emb; fi
[ -d .gpuw ] && [ ! -f /tmp/site/.gpuw_done ] && python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpuw/*.whl && touch /tmp/site/.gpuw_done
export PYTHONPATH=/tmp/site:$PWD
S="python3 reports/scripts/writer_run.py"
W="--block-tokens 128 --n-tokens 8 --groups 20000 --batch 64 --recon-tokens 48"
case "${1:-}" in
start)
  total=${2:-1500}; mkdir -p $R; date -u +%s > $R/t0
  setsid nohup timeout $total bash -c "
    $S writer --out $R/pre $W --steps 800 --lr 1e-3 --explain-weight 0 --recon-weight 1 &&
    $S writer --out $R/w $W --steps 800 --lr 3e-4 --init $R/pre &&
    $S index --out $R/w --groups 20000 --index-steps 3000 --index-batch 256 &&
    $S eval --out $R/w --test-groups 400 --pool 10000 --qa 50 --csv $R/writer.csv &&
    $S index --out $R/pre --groups 20000 --index-steps 3000 --index-batch 256 &&
    $S eval --out $R/pre --test-groups 400 --pool 10000 --qa 50 --tag recon-only-writer --no-baselines --csv $R/writer.csv
  " > $R/job.log 2>&1 < /dev/null &
  echo "started (pid $!)";;
collect)
  wait_s=${2:-570}
  while [ $SECONDS -lt $wait_s ] && pgrep -f writer_run.py > /dev/null; do sleep 5; done
  echo "elapsed since start: $(( $(date -u +%s) - $(cat $R/t0) ))s; running: $(pgrep -fc writer_run.py)"
  tail -5 $R/job.log; cat $R/writer.csv 2>/dev/null
  tar czf ${OUT:?set OUT}/wres.tgz -C $R . && ls -la $OUT;;
*) echo "usage: writer_gpu.sh start [TOTAL_S] | collect [WAIT_S]" >&2; exit 2;;
esac
