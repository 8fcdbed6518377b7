#!/bin/bash
# reports/results/runtime_ingest_host_cpu.csv: the write path's host stages, reference code against the new, on a 2-core
# shared CPU (no GPU; MiniLM replaced by a deterministic stub so its CPU arithmetic does not swamp the host stages),
# 1M tokens of the task suite's niah_single document (make_sample, seed 0), variants interleaved, 5 reps; every rep
# checked that all variants wrote the same memory (column fingerprint).
PYTHONPATH=$PWD .venv/bin/python reports/scripts/ingest_host_ab.py --length 1M --reps 5 --stub-embed --device cpu \
  --variants ref,fast,prefetch,new --out reports/results/runtime_ingest_host_cpu.csv
PYTHONPATH=$PWD .venv/bin/python reports/scripts/ingest_host_stages_cpu.py --length 1M --reps 7 --out reports/results/runtime_ingest_host_stages_cpu.csv
