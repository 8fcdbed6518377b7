#!/usr/bin/env bash
# Store benchmark (issue 14), CPU, single-threaded (2-core machine), from the repository root.
# store_faults.csv: 120 random-time kill -9 trials + 27 at the named kill points, a 1,000-query namespace fuzz, two writers.
# store.csv: a ~1.09M-token KJV ingest (1.1 copies) with BM25 only, and a 0.1-copy (~100K-token) one with BM25 + MiniLM
# keys (MiniLM embeds ~680 tok/s on one CPU thread); each followed by a cold open + first answer in a fresh process.
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false ICMOS_DEVICE=cpu
# 1) the fault part (this run was stopped once store_faults.csv was written; its corpus part was re-run by 2)
#    after stats were moved to after the writer closes, so the manifest size no longer counts the open WAL)
.venv/bin/icmos bench store --trials 120 --fault-reps 3 --queries 1000 --copies 1.1 --rankers 'bm25;bm25,minilm@0.1' --out reports/results
# 2) the corpus part alone
.venv/bin/icmos bench store --only corpus --copies 1.1 --rankers 'bm25;bm25,minilm@0.1' --out reports/results
# 3) the corpus part again after the DNII index is saved in the store (cold open rebuilt vs loaded; store.csv)
.venv/bin/icmos bench store --only corpus --copies 1.1 --rankers 'bm25;bm25,minilm@0.1' --out reports/results
# 4) the fault part again with the final code (saved DNII index, reader re-reads a replaced source): store_faults.csv
.venv/bin/icmos bench store --only faults --trials 120 --fault-reps 3 --queries 1000 --copies 1.1 --rankers 'bm25;bm25,minilm@0.1' --out reports/results
