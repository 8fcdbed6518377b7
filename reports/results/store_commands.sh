#!/usr/bin/env bash
# Store benchmark (issue 14): kill -9 trials, namespace fuzz, two writers -> store_faults.csv;
# a ~1.09M-token KJV ingest with BM25 only, and a 0.1-KJV (~100K-token) one with BM25 + MiniLM keys (MiniLM embeds ~650 tok/s on one CPU thread), cold open + first answer -> store.csv.
# CPU, single-threaded (2-core machine), run once from the repository root.
OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false ICMOS_DEVICE=cpu \
  .venv/bin/icmos bench store --trials 120 --fault-reps 3 --queries 1000 --copies 1.1 --rankers 'bm25;bm25,minilm@0.1' --out reports/results
