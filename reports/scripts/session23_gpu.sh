#!/bin/bash
# Session 23 (2026-11-29) on one H200: two things at once, each on its own copy of the tree.
#   runtime (issue 12): the read settings of session 22 (`split=records`, `chain_extra=2`, `order=rank`) against the default
#     on every task at 128K and 32K, n = 20, seeds 100-119, each sample written once per write setting (runtime_paired.py),
#     and the oracle in document and in reverse order (`oracle[order=reverse]`: a chain from the question's variable to its
#     value, as `order=rank` reads it). Results /root/rt23.
#   mag (issue 17): `--address-loss` on the needle phase (session20_gpu.sh train, env below; results /root/mag23), with the
#     CUDA tests of the graphed step (TESTS=1) in the background.
# The two share the GPU, so their timing columns (ingest_tok_s, query_s, decode_tok_s; MAG's steps/s) are not clean: accuracy
# and training curves are what this run is for.
# The calls, sent as tool calls of ONE message (the machine goes back 30 s after a call). A call carries 64 MiB with the tree:
#   1 [.gpu/q1, .gpuw]:  bash reports/scripts/session23_gpu.sh p1
#   2 [.gpu/q2]: bash reports/scripts/session23_gpu.sh p2        3 [.gpu/q3]: bash reports/scripts/session23_gpu.sh p3
#   4 [.emb/a]: bash reports/scripts/session23_gpu.sh emb        5 [.emb/b]: bash reports/scripts/session23_gpu.sh emb
#   6 [.gpu/q4, .gpu/w]: bash reports/scripts/session23_gpu.sh go           # starts the jobs; returns at once
#   7..: bash reports/scripts/session23_gpu.sh collect 280                   # waits up to 280 s (or until the jobs end), packs
# The 64 MiB of a call count the tree too (29 MB): a model quarter (24 MB) and a MiniLM half (23 MB) do not fit in one call.
# Session 23's first holding put them together: calls 2-3 were refused, the model was not whole, every job failed at its load,
# and the collects waited for a MAG run that had never started (1,089 s of device time lost). `go` now stops at a model that
# fails its checksum, and `collect` waits only for jobs that run.
# Env: MAG (1: start the MAG run; 0: the runtime jobs alone), RT_S (the runtime jobs' bound, 900 s), MAG_TOTAL (900), MAG_TRAIN (480), N (20), DEV/DT (CPU dry run: DEV=cpu DT=float32
#   N=1 LENS=4K R=/tmp/rt23 TASKS='vardep passkey' bash reports/scripts/session23_gpu.sh runtime).
set -u
M=${M:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}; R=${R:-/root/rt23}; N=${N:-20}; DEV=${DEV:-cuda}; DT=${DT:-bfloat16}
LENS=${LENS:-128K,32K}
export PYTHONUNBUFFERED=1 TQDM_DISABLE=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1
case "${1:-}" in
p1) bash reports/scripts/session20_gpu.sh wheels && mkdir -p /root/icmos-model && cp .gpu/q1/p /root/icmos-model/p1 && ls -la /root/icmos-model;;
p2|p3) mkdir -p /root/icmos-model && cp .gpu/q${1#p}/p /root/icmos-model/$1 && ls -la /root/icmos-model;;
emb) bash reports/scripts/session19_gpu.sh emb;;
ready)  # the model whole and MiniLM staged; with MAG=1 (the default) the MAG run started first (its `train` assembles the model)
  if [ "${MAG:-1}" = 1 ]; then
    TESTS=1 ADDRESS=1 SPLIT_CLIP=1 THETA_MAX=0.02 PHASES=needle TOTAL=${MAG_TOTAL:-900} TRAIN_S=${MAG_TRAIN:-480} SEED=${MAG_SEED:-2310000} \
      R=${MAG_R:-/root/mag23} bash reports/scripts/session20_gpu.sh train || echo "mag: not started (exit $?)"
  else H=$PWD; cd /root/icmos-model && cat p1 p2 p3 $H/.gpu/q4/p > $M && rm p1 p2 p3; cd $H
    python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpu/w/*.whl || exit 3
  fi
  echo "$(cat .gpu/q4/SHA256)  $M" | sha256sum -c || { echo "the model at $M is not whole: did every staging call land?" >&2; exit 3; }
  [ -f /root/emb/model.safetensors ] || { echo "no MiniLM in /root/emb: did both emb calls land?" >&2; exit 3; };;
go)
  bash reports/scripts/session23_gpu.sh ready || exit 3
  D=$(mktemp -d /root/rt23tree.XXXX) && cp -r . $D && cd $D && ICMOS_CACHE=/root/icmos-cache ICMOS_EMBEDDER=/root/emb \
    bash reports/scripts/session23_gpu.sh runtime;;
runtime)  # the runtime jobs, each in its own process session (they outlive the call); on the GPU from `go`'s tree copy
  mkdir -p $R; date -u +%s > $R/t0; export PYTHONPATH=/tmp/site:$PWD
  [ "$DEV" = cpu ] || python3 -c "import torch; print(torch.cuda.get_device_name())"
  bound=${RT_S:-900}; # the old defaults, records + unique links, all three (the defaults since session 23), rank order alone (session 23's run named
  # them icmos, icmos[chain_extra=2;split=records], icmos[chain_extra=2;split=records;order=rank] and icmos[order=rank]: the
  # defaults were the old ones then)
  MS='icmos[chain_extra=0;split=sentences;order=doc],icmos[chain_extra=2;split=records;order=doc],icmos,icmos[chain_extra=0;split=sentences]'
  F="--device $DEV --dtype $DT --model $M --max-new-tokens 48 --budget 2048 --n $N --seed 100"
  job() { local name=$1; shift; OMP_NUM_THREADS=2 setsid nohup timeout $bound "$@" > $R/$name.log 2>&1 < /dev/null & echo "started $name (pid $!)"; }
  pair() { local name=$1 tasks=$2; job $name python3 reports/scripts/runtime_paired.py $F --methods "$MS" --tasks $tasks --lengths $LENS \
             --out $R/$name.csv --samples-out $R/$name.jsonl; }
  for t in ${TASKS:-vardep hashhop prose_2hop paraphrase niah_multikey blockfacts niah_multivalue passkey niah_single prose_needle}; do pair $t $t; done
  job oracle python3 -c 'import sys; from icmos.cli import main; sys.exit(main())' bench runtime $F --no-progress \
    --methods 'oracle,oracle[order=reverse]' --tasks vardep,hashhop,prose_2hop --lengths $LENS --out $R/oracle.csv --samples-out $R/oracle.jsonl
  ;;
collect)  # waits up to WAIT s for the runtime jobs (and the MAG run in MAG_R, default /root/mag23), then packs $R into $OUT/<R's name>.tgz
  w=${2:-280}; MR=${MAG_R:-/root/mag23}
  while [ $SECONDS -lt $w ] && { pgrep -f '[r]untime_paired|[b]ench runtime' > /dev/null || { [ -d $MR ] && [ ! -f $MR/DONE ]; }; }; do sleep 5; done
  [ -f $R/t0 ] && echo "runtime: $(( $(date -u +%s) - $(cat $R/t0) )) s since start; running: $(pgrep -fc '[r]untime_paired|[b]ench runtime')"
  for f in $R/*.log; do echo "--- $f"; tr '\r' '\n' < $f | grep -v '^\s*$' | grep -v Warning | tail -3; done
  tar -czf ${OUT:?}/$(basename $R).tgz -C $(dirname $R) $(basename $R)
  [ -d $MR ] && R=$MR PHASES=needle bash reports/scripts/session20_gpu.sh collect 1 2>&1 | tail -25
  ;;
*) echo "usage: session23_gpu.sh p1 | p2 | p3 | emb | ready | go | runtime | collect WAIT" >&2; exit 2;;
esac
