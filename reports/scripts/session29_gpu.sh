#!/bin/bash
# Session 29, issue 13 (decode at 8K, batch 1, one H200). Results into $OUT, committed under reports/results/session29_2026-11-30/.
# First, here: `bash reports/scripts/stage_gpu.sh` (or the .gpu folders of an earlier session). Calls (tool calls of ONE message;
# the machine goes back 30 s after a call), each `bash reports/scripts/session29_gpu.sh MODE`, carrying:
#   p1 [.gpu/q1, .gpuw]     p2 [.gpu/q2]     p3 [.gpu/q3]     then quick [.gpu/q4, .gpu/w]
# quick: the model assembled and checked, then in the foreground (~4 min):
#   dec1       tritonc64+gemv not compiled (the package's kernel='triton' form: the LM head through cuBLAS after a Triton RMSNorm,
#              gemv_config refitted, the two-stage argmax; session 28's third holding lost every capture to the argmax bug), with
#              the baselines: hf_graph is the default graph decode (kernel='hf'), whose capture that bug had broken too
#   dec2, dec3 the same variant again in two more processes (the spread between processes)
#   speed      `icmos bench speed` at 8K in bfloat16 (decode rows only): the decode_triton row of speed.csv beside decode_graph
# (run 07:14-07:20 UTC: dec1-3 1,471 / 1,482 / 1,482 tok/s, speed's decode_triton 1,467 and, alone, 1,465; quick's own files were
# lost: it wrote to $OUT, of which a call returns 8 files; now R, packed.)
# merge (second holding; p1-p3 as above, then merge [.gpu/q4, .gpu/w], ~5 min): gemv_sweep.py --merge (a layer's attention + output
#   projection: the merge launch against gemv.merge at 4-64 rows per program, 30 layers' 8K caches), then tritonc64+gemv (the merge
#   launch) against tritong64+gemv (merge='gemv': the projection merges; 16, 8 and 32 rows per program) not compiled, three
#   processes, the order reversed in the second
# (run 07:36-07:40 UTC: the projection's merge costs 20.7 us per layer against 11.0 for the merge launch + GEMV; decode 1,010-1,024
# tok/s against 1,467-1,487: every program re-merges all heads from L2. Not adopted.)
# tail (third holding; p1-p3, then tail [.gpu/q4, .gpu/w], ~5 min): the step's argmax and bookkeeping in two Triton launches
#   (load_triton_gemv's step_tail) and the RoPE tables read at pos inside the attention, tritonc64+gemv against the same with the
#   torch tail (+torchtail; both read the tables) in three processes, the order reversed in the second; then speed (bench speed)
# (run 07:46-07:50 UTC: 1,525-1,535 tok/s against 1,482-1,494 with the torch tail; bench speed decode_triton 1,516.8)
# train (fourth holding; p1-p3, then train [.gpu/q4, .gpu/w], ~3 min): `icmos bench train-speed` for the Trimmer alone, batches
#   1, 8, 16 and 32, 32 timed steps per loop (the 2026-11-26 run timed 8, and its old loop's step time was lost in the noise)
# (run 07:56-07:59 UTC: 4.6x at batch 8, 8.1x at 16, 12.3x at 32 in examples/s)
# verify (fifth holding; p1-p3, then verify [.gpu/q4, .gpu/w], ~5 min): after the review's guards in the step tail and the write
#   attention, the GPU selftest (decode_variants.py --selftest) and tail's three-process comparison again
set -u
M=${M:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}; R=${R:-/root/rt29}  # results in R, packed into $OUT/rt29.tgz (a call returns 8 files)
export PYTHONUNBUFFERED=1 TQDM_DISABLE=1 HF_HUB_OFFLINE=1
three() {  # decode_variants, not compiled, at 8K: the comma-separated variants $1 in three processes, the order reversed in the
  # second; the baselines in the first; each process's files in $R/decI, its rows printed
  local fw=$1 bw i=1; bw=$(echo "$1" | tr ',' '\n' | tac | paste -sd,)
  for v in $fw $bw $fw; do
    OUT=$R/dec$i ICMOS_CACHE=/root/icmos-cache DV_TIMEOUT=150 SELFTEST_S=0 bash reports/scripts/decode_variants_gpu.sh --model $M \
      --variants $v --contexts 8000 --top 0 --no-compile --tag eager_graph $([ $i = 1 ] || echo --no-baselines) > $R/dec$i.log 2>&1
    echo "dec$i rc $? $(date -u +%T)"; grep -h -e '^core,' $R/dec$i/dec/log.txt; i=$((i + 1))
  done
}
case "${1:-}" in
p1|p2|p3) bash reports/scripts/session23_gpu.sh $1;;
assemble)  # the model whole from the staged quarters, checked
  H=$PWD; cd /root/icmos-model && cat p1 p2 p3 $H/.gpu/q4/p > $M && rm p1 p2 p3; cd $H
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpu/w/*.whl 2>/dev/null
  echo "$(cat .gpu/q4/SHA256)  $M" | sha256sum -c || exit 3;;
merge)  # second holding: the attention's chunks merged by the output projection (merge='gemv') against the merge launch
  bash $0 assemble || exit 3; mkdir -p $R
  PYTHONPATH=/tmp/site:$PWD:$PWD/reports/scripts timeout 200 python3 reports/scripts/gemv_sweep.py --merge --out $R/gemv_merge.csv > $R/gemv_merge.log 2>&1
  echo "gemv_sweep --merge rc $? $(date -u +%T)"; grep -e attn+o -e within $R/gemv_merge.log
  three tritonc64+gemv,tritong64+gemv,tritong64r8+gemv,tritong64r32+gemv
  tar czf $OUT/rt29.tgz -C $(dirname $R) $(basename $R);;
tail)  # third holding: the Triton step tail (argmax + bookkeeping, 2 launches) and the RoPE tables read in the attention
  bash $0 assemble || exit 3; mkdir -p $R
  three tritonc64+gemv,tritonc64+gemv+torchtail
  bash $0 speed;;
verify)  # fifth holding, after the review's guards (out-of-range positions write nothing): the GPU selftest, then tail's comparison
  bash $0 assemble || exit 3; mkdir -p $R
  PYTHONPATH=/tmp/site:$PWD timeout 200 python3 reports/scripts/decode_variants.py --selftest --device cuda > $R/selftest.txt 2>&1
  echo "selftest rc $? $(date -u +%T)"; tail -n 3 $R/selftest.txt
  three tritonc64+gemv,tritonc64+gemv+torchtail
  tar czf $OUT/rt29.tgz -C $(dirname $R) $(basename $R);;
probe)  # sixth holding (the last ~240 s): GraphDecoder(kernel='triton') with its first step at construction, against kernel='fused'
  bash $0 assemble || exit 3
  ICMOS_CACHE=/root/icmos-cache PYTHONPATH=/tmp/site:$PWD timeout 150 python3 reports/scripts/triton_decode_probe.py --model $M --context 8000 --new 256 \
    > $OUT/probe.txt 2>&1; echo "probe rc $?"; tail -n 1 $OUT/probe.txt;;  # (a first form piped through grep -v warn, which dropped the JSON line: it holds "warnings")
train)  # fourth holding: the Trimmer's training loops again with 32 timed steps (the first run's old-loop time was lost in the noise)
  bash $0 assemble || exit 3; mkdir -p $R
  PYTHONPATH=$PWD:/tmp/site bash reports/scripts/train_speed_gpu.sh $R/train --components trimmer --batches 1,8,16,32 --trimmer-steps 32 > $R/train.log 2>&1
  echo "train-speed rc $? $(date -u +%T)"; grep -e '^trimmer' -e noise -e exit $R/train.log | tail -n 12
  tar czf $OUT/rt29.tgz -C $(dirname $R) $(basename $R);;
quick)
  bash $0 assemble || exit 3; mkdir -p $R
  for i in 1 2 3; do
    OUT=$R/dec$i ICMOS_CACHE=/root/icmos-cache DV_TIMEOUT=150 SELFTEST_S=0 bash reports/scripts/decode_variants_gpu.sh --model $M \
      --variants tritonc64+gemv --contexts 8000 --top 0 --no-compile --tag eager_graph $([ $i = 1 ] || echo --no-baselines) > $R/dec$i.log 2>&1
    echo "dec$i rc $? $(date -u +%T)"; grep -h -e 'tok/s' -e '^core,' $R/dec$i/dec/log.txt | tail -n 4
  done
  bash $0 speed;;
speed)  # bench speed's decode rows at 8K (in quick, after dec1-3; alone on a warm machine whose model is assembled)
  mkdir -p $R/speed
  ICMOS_CACHE=/root/icmos-cache PYTHONPATH=/tmp/site:$PWD timeout 200 python3 -c 'import sys; from icmos.cli import main; sys.exit(main(sys.argv[1:]))' bench speed --model $M --device cuda --dtype bfloat16 \
    --contexts 8K --dtypes bfloat16 --prefill-tokens 0 --batch 1 --out $R/speed/speed.csv --profile-out $R/speed/profile.json > $R/speed/log.txt 2>&1
  echo "speed rc $? $(date -u +%T)"; cat $R/speed/speed.csv; tail -n 5 $R/speed/log.txt; tar czf $OUT/rt29.tgz -C $(dirname $R) $(basename $R);;
*) echo "usage: bash reports/scripts/session29_gpu.sh p1 | p2 | p3 | quick | speed | merge | tail | train | verify | probe" >&2; exit 2;;
esac
