#!/bin/bash
# Session 19 (2026-11-28/29) on one H200: three jobs at once, each in its own process session (they outlive the call that starts
# them), on a private copy of the tree (a later call's copy of the work tree cannot pull files from under a job):
#   writer  - issue 15: reconstruction pretraining for longer, its distiller, the held-out eval, the runtime at 128K with the
#             distilled keys as a third ranker (writer_gpu.sh PLAN=v2; results /root/wres)
#   probe   - issue 16's memory growth: trimmer_mem_probe.py --streams new, then --streams one (40 prompts each at 32K; /root/probe)
#   dnii    - issue 18: the 1M drifting clusters, built with 12 threads, searched with 2, 4 and 12 (dnii_host_gpu.sh; CPU only; /root/dnii)
# The calls, sent as tool calls of ONE message (the machine goes back 30 s after a call; see gpu_session.sh). A call carries
# 64 MiB with the tree (~27 MB): the model in quarters (.gpu/q1..q4), MiniLM's float16 copy (icmos.rag.save_embedder, 45 MB) in
# two halves (.emb/a: the small files + the first half of model.safetensors, .emb/b: the second half + its SHA256):
#   1 [.gpu/faiss, .gpuw]: bash reports/scripts/session19_gpu.sh dnii        # faiss + the wheels; the DNII job, after DELAY s
#   2 [.gpu/q1]: mkdir -p /root/icmos-model && cp .gpu/q1/p /root/icmos-model/p1     3 [.gpu/q2]: ... p2     4 [.gpu/q3]: ... p3
#   5 [.emb/a]:  bash reports/scripts/session19_gpu.sh emb                   6 [.emb/b]: bash reports/scripts/session19_gpu.sh emb
#   7 [.gpu/q4, .gpu/w]: bash reports/scripts/session19_gpu.sh go && bash reports/scripts/session19_gpu.sh collect 540
#   8, 9: bash reports/scripts/session19_gpu.sh collect 570
set -u
M=/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf; P=/root/probe
export ICMOS_CACHE=/root/icmos-cache PYTHONUNBUFFERED=1
case "${1:-}" in
dnii)  # starts after DELAY s, when the writer's example generation (14 processes) is over
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpuw/*.whl && touch /tmp/site/.gpuw_done || exit 3
  N=1000000 TH=12 SEARCH_TH=2,4,12 EFC=200 INDEXES=dnii,hnsw WL=static,streaming NPROBE=2,4,8 DATASETS=synthetic BUDGET=900 \
    DELAY=${DELAY:-240} bash reports/scripts/dnii_host_gpu.sh start;;
emb)  # MiniLM into /root/emb, half by half
  mkdir -p /root/emb; [ -d .emb/a ] && cp -r .emb/a/. /root/emb/
  if [ -d .emb/b ]; then cat /root/emb/model.safetensors.part0 .emb/b/model.safetensors.part1 > /root/emb/model.safetensors &&
    echo "$(cat .emb/b/SHA256)  /root/emb/model.safetensors" | sha256sum -c && rm /root/emb/model.safetensors.part0 || exit 3; fi
  ls -la /root/emb;;
go)
  H=$PWD && cd /root/icmos-model && cat p1 p2 p3 $H/.gpu/q4/p > SmolLM2-135M-Instruct.Q4_1.gguf && rm p1 p2 p3 &&
    echo "$(cat $H/.gpu/q4/SHA256)  SmolLM2-135M-Instruct.Q4_1.gguf" | sha256sum -c && cd $H || exit 3
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpu/w/*.whl || exit 3
  D=$(mktemp -d /root/s19tree.XXXX) && cp -r . $D && cd $D && export PYTHONPATH=/tmp/site:$D || exit 3
  python3 -c "from icmos.core import load_model, ICMOSConfig; load_model(ICMOSConfig(model='$M', device='cpu')); print('model converted')" || exit 3
  PLAN=v2 bash reports/scripts/writer_gpu.sh start
  mkdir -p $P; date -u +%s > $P/t0
  setsid nohup bash -c "for s in new one; do timeout 400 python3 reports/scripts/trimmer_mem_probe.py --model $M --streams \$s --prompts 40 --out $P/probe.csv; echo \"== \$s exit \$?\"; done; date -u > $P/DONE" \
    > $P/probe.log 2>&1 < /dev/null & echo "probe started (pid $!)";;
collect)
  wait_s=${2:-570}
  while [ $SECONDS -lt $wait_s ] && { kill -0 $(cat /root/wres/pid 2>/dev/null || echo -1) 2>/dev/null || [ ! -f $P/DONE ] || [ ! -f /root/dnii/DONE ]; }; do sleep 5; done
  d=$(ls -d /root/s19tree.* | head -1); cd $d || exit 4
  bash reports/scripts/writer_gpu.sh collect 1
  bash reports/scripts/dnii_host_gpu.sh collect 1
  echo "--- probe: $(grep -c . $P/probe.csv 2>/dev/null) lines"; grep '^==' $P/probe.log; tail -3 $P/probe.log
  tar -czf ${OUT:?}/probe.tgz -C /root probe && ls -la $OUT;;
*) echo "usage: session19_gpu.sh dnii | emb | go | collect WAIT" >&2; exit 2;;
esac
