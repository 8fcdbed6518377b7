#!/bin/bash
# The exact CPU runs behind reports/results/mag_train.csv, mag.csv and mag_diag.csv (2026-11-25, issue 7).
# Machine: a shared 2-core CPU (two other engineers' jobs ran at the same time: load average ~5), no GPU,
# torch.set_num_threads(1) in every run. From the repo root; the embedded SmolLM2-135M-Instruct (float32).
set -e
export PYTHONPATH=$PWD

# 1. curriculum training, 4 phases, each resuming from the previous phase's checkpoint (checkpoints/mag/<phase>),
#    at most 40 samples and 330 s per phase (the time limit decided: ~23 s/step under the shared CPU)
icmos train mag --phase hashhop-short,hashhop-long,vardep-2,vardep-34 --steps 40 --time-limit 330 --window 256 \
  --mem-chunk 64 --lr 5e-4 --device cpu --threads 1 --out checkpoints/mag --log reports/results/mag_train.csv

# 2. the same-window baseline and full attention on the QA tasks (run while 1. was running: accuracy only)
icmos bench mag --variants streaming,full --tasks hashhop,vardep,niah_single --lengths 1K --window 256 --n 5 \
  --max-new-tokens 32 --device cpu --threads 1 --out reports/results/mag.csv

# 3. MAG (the last curriculum checkpoint) with and without memory writing on the same cells, then all four variants
#    on prose perplexity back to back (their tok_s rows are comparable), and the gate/surprise diagnostics
icmos bench mag --checkpoint checkpoints/mag/vardep-34 --variants mag,mag_nowrite --tasks hashhop,vardep,niah_single \
  --lengths 1K --window 256 --n 5 --max-new-tokens 32 --device cpu --threads 1 --out reports/results/mag.csv \
  --diag-out reports/results/mag_diag.csv
icmos bench mag --checkpoint checkpoints/mag/vardep-34 --variants mag,mag_nowrite,streaming,full --tasks ppl \
  --lengths 512 --window 256 --n 5 --device cpu --threads 1 --out reports/results/mag.csv
