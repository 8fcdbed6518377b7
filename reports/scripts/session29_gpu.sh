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
set -u
M=${M:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}
export PYTHONUNBUFFERED=1 TQDM_DISABLE=1 HF_HUB_OFFLINE=1
case "${1:-}" in
p1|p2|p3) bash reports/scripts/session23_gpu.sh $1;;
quick)
  H=$PWD; cd /root/icmos-model && cat p1 p2 p3 $H/.gpu/q4/p > $M && rm p1 p2 p3; cd $H
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpu/w/*.whl 2>/dev/null
  echo "$(cat .gpu/q4/SHA256)  $M" | sha256sum -c || exit 3
  for i in 1 2 3; do
    OUT=$OUT/dec$i ICMOS_CACHE=/root/icmos-cache DV_TIMEOUT=150 SELFTEST_S=0 bash reports/scripts/decode_variants_gpu.sh --model $M \
      --variants tritonc64+gemv --contexts 8000 --top 0 --no-compile --tag eager_graph $([ $i = 1 ] || echo --no-baselines) > $OUT/dec$i.log 2>&1
    echo "dec$i rc $? $(date -u +%T)"; grep -h -e 'tok/s' -e '^core,' $OUT/dec$i/dec/log.txt | tail -n 4
  done
  mkdir -p $OUT/speed
  ICMOS_CACHE=/root/icmos-cache PYTHONPATH=/tmp/site:$PWD timeout 200 python3 -c 'import sys; from icmos.cli import main; sys.exit(main(sys.argv[1:]))' bench speed --model $M --device cuda --dtype bfloat16 \
    --contexts 8K --dtypes bfloat16 --prefill-tokens 0 --batch 1 --out $OUT/speed/speed.csv --profile-out $OUT/speed/profile.json > $OUT/speed/log.txt 2>&1
  echo "speed rc $? $(date -u +%T)"; cat $OUT/speed/speed.csv;;
*) echo "usage: bash reports/scripts/session29_gpu.sh p1 | p2 | p3 | quick" >&2; exit 2;;
esac
