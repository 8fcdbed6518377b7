#!/bin/bash
# Issue 16 (Trimmer v3) grid on a 4-GPU host, and issue 12's runtime reruns. Every process runs in its own session (it outlives the
# device call) and writes a row per finished sample (`--rows-every 1`), so a process cut at the deadline keeps what it finished;
# `trimmer16_merge.py` joins the shards (a `_from<K>` shard holds samples K, K+1, ...: `--start K` resumes a cut cell).
#   after the staging calls (../shared/gpu/stage-smollm2.sh; GGUF in quarters) and with carry [.gpuw]:
#     bash reports/scripts/trimmer16_gpu.sh start [TOTAL]   # evict_speed.py alone on GPU 3 first (SPEED=1, blocking, ~2 min), then
#                                                           # every job; all end by start + TOTAL s (1260)
#     bash reports/scripts/trimmer16_gpu.sh collect WAIT    # wait (at most WAIT s into this call), pack $R into $OUT/t16.tgz
# Jobs: 4K and 8,000 tokens (one prefill, ratios 0.75/0.875) on G4 / G8, one process per policy (P48: from sample 0; TU4 / TU8:
#   'policy:K ...' resume from sample K up to NT samples); 32K and 128K block by block (budget LB = 4096, prefill chunk CS), one process
#   per (policy, task), round robin over the GPU lists GL32 / GL128; on GRT the runtime's keep_dense rerun (paraphrase, 128K and 1M,
#   default vs keep_dense=1 vs rag_hybrid, same seeds) and the oracle rows of hashhop / vardep (issue 12).
#   Session 10 ran P48 at 4K/8K (n 26-30, slower presses 8-24); session 11:
#   P48= TU4='trimmer:28 streaming:30 snapkv:30 tova:30 full:30 knorm:18 h2o:24 expected_attention:9' \
#   TU8='trimmer:26 streaming:30 snapkv:30 tova:30 full:30 knorm:18 h2o:17 expected_attention:8' GL32='2 3' GL128='0 1 2 3' GRT=3 \
#     bash reports/scripts/trimmer16_gpu.sh start 1080
# MiniLM for the runtime jobs, in two halves (each call carries the tree, 21 MB, + at most 64 MiB), made here once by
#   mkdir -p .emb1/minilm .emb2 && cp .emb/minilm/{config.json,tokenizer*} .emb1/minilm/ && split -n 2 -d .emb/minilm/model.safetensors /tmp/e. \
#     && mv /tmp/e.00 .emb1/part0 && mv /tmp/e.01 .emb2/part1      (.emb1/ .emb2/ in .git/info/exclude)
#   and sent by two calls: `... emb1` carrying [.emb1], `... emb2` carrying [.emb2].
# Make the device calls back to back: the machine is given back 30 s after a call ends, and a fresh one has none of this
# (session 10 lost a 20-minute run that way). Never put a slow local command in the same batch as a device call.
# The Trimmer is the shipped v3 checkpoint (sinks 4, window 0.25 in its config) under the name 'trimmer'.
# Env: R (/root/t16), M (model), N (samples per cell, 30), NT (top-up cells' n, 40), NR (runtime samples, 20), CK (data/trimmer-smollm2-v3),
#   CS (prefill chunk block by block, 2048), RSEED (first seed of the runtime rerun: 100 = fresh seeds, not those the keep_dense fixes
#   came from), DEV/DT/PY, QA (tasks), P48 (policies at 4K/8K), PL (policies block by block); CPU dry run:
#   DEV=cpu DT=float32 N=1 NT=2 NR=1 L4=1100 L8=1200 L32=2000 L128=2500 LB=512 CS=256 RL=8K SPEED_LENS=600 QA=niah_single P48=full \
#   TU4=trimmer:1 TU8= PL=trimmer M=smollm2 R=/tmp/t16 bash reports/scripts/trimmer16_gpu.sh start 900
#   DRY=1 (with the CPU dry run's settings, SPEED=0 NR=0): `start` / `redo` print each job as "NAME GPU COMMAND" instead of running it
#   (to compare the command lines of two versions of this script).
#   RT_TASKS / RT_METHODS: the runtime jobs' task groups (paraphrase; groups split by ' ', one job per group and RL group) and methods (icmos,icmos[keep_dense=1],rag_hybrid); HYDE: lengths of a
#   hyde_probe.py job on GPU GH (paraphrase, NR samples from RSEED; '' = none).
set -u
R=${R:-/root/t16}; M=${M:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}; DEV=${DEV:-cuda}; DT=${DT:-bfloat16}; N=${N:-30}; NT=${NT:-40}; NR=${NR:-20}; CS=${CS:-2048}
CK=${CK:-data/trimmer-smollm2-v3}; L4=${L4:-4K}; L8=${L8:-8000}; L32=${L32:-32K}; L128=${L128:-128K}; LB=${LB:-4096}; RL=${RL:-128K,1M}
SPEED_LENS=${SPEED_LENS:-4096,8000}; QA=${QA:-niah_single,niah_multikey,blockfacts,prose_needle}
P48=${P48-full streaming knorm snapkv tova h2o expected_attention trimmer}; PL=${PL-streaming knorm snapkv tova trimmer}
TU4=${TU4-}; TU8=${TU8-}; TL32=${TL32-}; G4=${G4:-0}; G8=${G8:-1}; SPEED=${SPEED:-1}; GL32=${GL32:-2}; GL128=${GL128:-3}; GRT=${GRT:-3}; GR=(${GREDO:-0 2 3})  # GL32/GL128: GPU lists, round robin
source "$(dirname "$0")/_gpu_common.sh"  # from_copy, gpu_site
# start / redo on the GPU run from a copy of the tree, a new folder per call (session 11 lost 5 of 58 jobs to a shared one)
case "${1:-}" in start|redo) from_copy T16_COPY /root/w reports/scripts/trimmer16_gpu.sh "$@";; esac
export ICMOS_CACHE=${ICMOS_CACHE:-/root/icmos-cache} PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TQDM_DISABLE=1 TOKENIZERS_PARALLELISM=false \
  JAX_PLATFORMS=cpu
PY=${PY:-python3}; ICM="$PY -c 'import sys; from icmos.cli import main; sys.exit(main())'"  # the CLI without an installed entry point
gpu() { [ "$DEV" = cpu ] && echo "" || echo "$1"; }
job() { local name=$1 g=$2; shift 2; [ -n "${DRY:-}" ] && { echo "$name $g $*"; return; }
        CUDA_VISIBLE_DEVICES=$(gpu $g) OMP_NUM_THREADS=1 setsid nohup bash -c "$*" > $R/$name.log 2>&1 < /dev/null &
        echo "started $name on GPU $g"; }
left() { echo $(( $(cat $R/deadline) - $(date +%s) )); }
TO="timeout \$(( \$(cat $R/deadline) - \$(date +%s) - 10 ))"
tb() { local out=$1 pol=$2 tasks=$3 len=$4; shift 4
  echo "$TO $ICM bench trimmer --model $M --device $DEV --dtype $DT --no-progress --checkpoint $CK --policies '$pol' --tasks $tasks \
    --lengths $len --n $N --rows-every 1 --kept-out '' --max-new-tokens 48 --out $R/$out.csv $*"; }
# the jobs of `start` and `redo`: one prefill at 4K / 8,000 tokens, every QA task + ppl and both ratios (extra: `--n $NT --start K`
# to resume), and block by block at 32K / 128K, one task
short_job() { local name=$1 g=$2 pol=$3 len=$4; shift 4; job $name $g "$(tb $name $pol $QA,ppl $len --ratios 0.75,0.875 "$@")"; }
long_job() { local name=$1 g=$2 pol=$3 task=$4 len=$5; shift 5; job $name $g "$(tb $name $pol $task $len --long-budget $LB --chunk-size $CS "$@")"; }
mkdir -p $R
gpu_site  # PYTHONPATH (/tmp/site and this tree) and the .gpuw wheels
case "${1:-}" in
start)
  $PY -c "from icmos.core import load_model, ICMOSConfig; load_model(ICMOSConfig(model='$M', device='cpu'))" 2>&1 | grep -v Warn  # convert once
  # the cost of one eviction beside its prefill, layer by layer vs batched, alone on its GPU (before the other jobs load it)
  # SPEED_POL: the timed policies (session 12 also ran --no-hook passes; with the hook off by default a variant is a policy spec:
  # trimmer[...;hook=1], trimmer[...;compiled=1]); GS: the GPU; SPEED_OLD: a folder holding an old icmos/ (or a git revision, where
  # the tree has .git) that runs the specs prefixed old: (old:streaming, old:trimmer[...]) interleaved with the current code
  # SPEED_ARGS: more evict_speed.py options (session 16: --reps 40 --block-reps 10)
  if [ $SPEED = 1 ]; then set -f
    CUDA_VISIBLE_DEVICES=$(gpu ${GS:-3}) OMP_NUM_THREADS=4 timeout ${SPEED_TO:-420} $PY reports/scripts/evict_speed.py --model $M \
    --device $DEV --dtype $DT --lengths $SPEED_LENS --checkpoint $CK --blocks "${SPEED_BLOCKS-32000:2048:4096}" ${SPEED_OLD:+--old-rev $SPEED_OLD} --out $R/evict_speed.csv \
    --profile-out $R/evict_profile.csv ${SPEED_ARGS:-} --policies ${SPEED_POL:-streaming tova snapkv knorm trimmer[sinks=4;window=0.25] trimmer[sinks=4;window=0.25;compiled=1]} \
    > $R/evict_speed.log 2>&1; echo "evict_speed exit $?"; set +f; cut -d, -f1-8,17- $R/evict_speed.csv; fi
  echo $(( $(date +%s) + ${2:-1260} )) > $R/deadline
  for p in $P48; do
    short_job s4_$p $G4 $p $L4
    short_job s8_$p $G8 $p $L8
  done
  for pk in $TU4; do p=${pk%:*}; k=${pk#*:}; short_job s4_${p}_from$k $G4 $p $L4 --n $NT --start $k; done
  for pk in $TU8; do p=${pk%:*}; k=${pk#*:}; short_job s8_${p}_from$k $G8 $p $L8 --n $NT --start $k; done
  g32=($GL32); g128=($GL128); i=0
  # TL32: 'policy:K ...' resumes the 32K cells of every QA task from sample K up to NT samples (session 16: n 30 -> 60)
  for pk in $TL32; do p=${pk%:*}; k=${pk#*:}; for t in ${QA//,/ }; do
    long_job l32_${p}_${t}_from$k ${g32[$(( i % ${#g32[@]} ))]} $p $t $L32 --n $NT --start $k; i=$(( i + 1 )); done; done
  for p in $PL; do
    for t in ${QA//,/ }; do
      long_job l32_${p}_$t ${g32[$(( i % ${#g32[@]} ))]} $p $t $L32
      long_job l128_${p}_$t ${g128[$(( i % ${#g128[@]} ))]} $p $t $L128
      i=$(( i + 1 ))
    done
  done
  # issue 12: keep_dense after its two fixes (the sentence MiniLM matched; a chain-read guard takes no second place)
  [ $NR -gt 0 ] || { echo "deadline in $(left) s"; exit 0; }
  if [ -d .emb/minilm ]; then mkdir -p /root/emb && cp -r .emb/minilm/. /root/emb/; fi
  # the runtime jobs need MiniLM whole (emb1 AND emb2 staged): without it every job stops at once (session 15 lost a start so)
  [ -f /root/emb/model.safetensors ] && export ICMOS_EMBEDDER=/root/emb || { echo "ERROR: no MiniLM in /root/emb: runtime jobs not started (stage emb1 and emb2 first)"; exit 3; }
  k=0; for rl in ${RL//;/ }; do for rtt in ${RT_TASKS:-paraphrase}; do  # RL: lengths per job, jobs split by ';' (a job runs its lengths
    # in turn: 1M apart from the rest); RT_TASKS: task groups, one job each per RL group, split by ' '
    job rt_k$k $GRT "$TO $ICM bench runtime --model $M --device $DEV --dtype $DT --max-new-tokens 40 --n $NR --budget 2048 --no-progress \
      --time-limit $(( $(left) - 60 )) --methods '${RT_METHODS:-icmos,icmos[keep_dense=1],rag_hybrid}' --tasks $rtt --lengths $rl --seed ${RSEED:-0} \
      --out $R/rt_k$k.csv --samples-out $R/rt_k$k.jsonl"; k=$(( k + 1 )); done; done
  # issue 12: the oracle rows of the 2-hop tasks (the model handed only the facts the answer needs); session 11 ran them with 40 new
  # tokens, in which the hashhop oracle restates the problem: OT sets the cap, OTASKS the tasks ('' = none)
  [ -n "${OTASKS-hashhop,vardep}" ] && job rt_oracle ${GO:-$GRT} "$TO $ICM bench runtime --model $M --device $DEV --dtype $DT --max-new-tokens ${OT:-40} \
    --n $NR --budget 2048 --no-progress --methods oracle --tasks ${OTASKS-hashhop,vardep} --lengths ${OL:-32K,128K} --out $R/rt_oracle.csv \
    --samples-out $R/rt_oracle.jsonl"
  # issue 12: HyDE (the LM's hypothetical answer as MiniLM's query) on paraphrase needles at HYDE's lengths ('' = none), seeds from RSEED
  [ -n "${HYDE:-}" ] && job hyde ${GH:-$GRT} "$TO env ICMOS_MODEL=$M ICMOS_DTYPE=$DT $PY reports/scripts/hyde_probe.py --device $DEV --task paraphrase \
    --length $HYDE --n $NR --seed ${RSEED:-0} --out $R/hyde.csv"
  echo "deadline in $(left) s: $(date -u -d @$(cat $R/deadline) +%T) UTC"
  ;;
redo)  # relaunch jobs by name (l32_<policy>_<task>, l128_..., s4_<policy>_from<K>, s8_...), until the same deadline (from a tree copy, above)
  shift; i=0
  for nm in "$@"; do  # a shard numbers its samples by row order (trimmer16_merge.py): never append a rerun to a shard that has rows
    if [ -s $R/$nm.csv ]; then echo "redo: $R/$nm.csv has rows; move it away, or resume with a s4_<policy>_from<K> name" >&2; continue; fi
    case $nm in
      s4_*|s8_*) L=${nm%%_*}; p=${nm#*_}; k=${p##*_from}; p=${p%_from*}; [ $L = s4 ] && { g=$G4; len=$L4; } || { g=$G8; len=$L8; }
        short_job $nm $g $p $len --n $NT --start $k;;
      l32_*|l128_*) L=${nm%%_*}; r=${nm#*_}; p=${r%%_*}; t=${r#*_}; [ $L = l32 ] && len=$L32 || len=$L128
        long_job $nm ${GR[$(( i % ${#GR[@]} ))]} $p $t $len; i=$(( i + 1 ));;
      *) echo "redo: unknown job $nm" >&2;;
    esac
  done
  echo "deadline in $(left) s" ;;
emb1)  # MiniLM (45 MB) no longer fits beside the tree in one call: carry [.emb1] here, then [.emb2] with emb2
  mkdir -p /root/emb && cp -r .emb1/minilm/. /root/emb/ && cp .emb1/part0 /root/emb/part0 && echo "emb1 ok" ;;
emb2)
  cat /root/emb/part0 .emb2/part1 > /root/emb/model.safetensors && rm /root/emb/part0 && ls -la /root/emb ;;
collect)
  [ -f "$R/deadline" ] || { echo "collect: no $R/deadline on this machine: it is not the one that ran start (given back and started afresh?)" >&2; exit 4; }
  wait_s=${2:-560}
  while [ $SECONDS -lt $wait_s ] && pgrep -f '[b]ench (trimmer|runtime)' > /dev/null; do sleep 5; done
  echo "deadline in $(left) s; running: $(pgrep -fc '[b]ench (trimmer|runtime)')"
  for f in $R/*.log; do echo "--- $f: $(tail -c 600 $f | tr '\r' '\n' | grep -v '^\s*$' | tail -1 | cut -c1-200)"; done
  # every waiting call packs all it can (session 12 lost its seeds' rows with a host given back between a plain `sleep` call and the
  # collect): this run's folder and, if there, trimmer_v3_gpu.sh's (TRIM, /root/trim) (checkpoints are small: kept)
  T=${TRIM:-/root/trim}; tar -czf ${OUT:?}/t16.tgz --exclude='*.pt' -C $(dirname $R) $(basename $R) \
    $( [ -d $T ] && [ "$(dirname $T)" = "$(dirname $R)" ] && basename $T ) && ls -la $OUT
  ;;
*) echo "usage: trimmer16_gpu.sh start [TOTAL] | emb1 | emb2 | collect WAIT" >&2; exit 2;;
esac
