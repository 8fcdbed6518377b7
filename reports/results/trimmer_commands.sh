#!/usr/bin/env bash
# Issue 6 (Trimmer), CPU-sized run of 2026-11-25. Run from the repository root (PYTHONPATH=. with the project venv).
set -euo pipefail

# 1. Train the Trimmer on the embedded SmolLM2 (CPU, 1 thread, 25 min): data/trimmer-smollm2/ + reports/results/trimmer_train.csv
#    (the first version, hidden states only; since the H100 run of the same day it is kept as data/trimmer-smollm2-v1,
#    and data/trimmer-smollm2 holds the H100-trained second version: reports/results/gpu_2026-11-25/COMMANDS.md)
icmos train trimmer --device cpu --threads 1 --steps 400 --time-limit 1500 --no-prior \
  --out data/trimmer-smollm2-v1 --curve reports/results/trimmer_train.csv

# 2. Presses vs kvpress 0.5.5 (kvpress in its own venv: it pins transformers < 5.3)
#    python3 -m venv /tmp/kvenv && /tmp/kvenv/bin/pip install torch==2.13.0 kvpress==0.5.5 transformers==5.2.0 tokenizers==0.22.2
python reports/scripts/presses_vs_kvpress.py --kvpython /tmp/kvenv/bin/python   # -> reports/results/presses_vs_kvpress.csv

# 3. Bench: every press + the Trimmer on the same prompts -> reports/results/trimmer.csv (+ trimmer_kept.csv)
icmos bench trimmer --device cpu --threads 1 --max-new-tokens 32 --n 5 --lengths 1100 \
  --tasks niah_single,niah_multikey,blockfacts,ppl --ratios 0.5,0.75,0.875 \
  --policies full,streaming,knorm,snapkv,tova,h2o,expected_attention,trimmer --checkpoint data/trimmer-smollm2-v1 \
  --out reports/results/trimmer.csv --kept-out reports/results/trimmer_kept.csv

# 4. Ablation: the same scorer at its initialisation (seed 0, no training), same prompts -> reports/results/trimmer_untrained.csv
python -c "import torch; from icmos.trimmer import *; torch.manual_seed(0); save_trimmer(TrimmerScorer(TrimmerConfig(576, 30, 3, rank=32, model='SmolLM2-135M-Instruct (untrained init, seed 0)')), '/tmp/trimmer-untrained')"
icmos bench trimmer --device cpu --threads 1 --max-new-tokens 32 --n 5 --lengths 1100 \
  --tasks niah_single,niah_multikey,blockfacts,ppl --ratios 0.5,0.75,0.875 --policies trimmer \
  --checkpoint /tmp/trimmer-untrained --out reports/results/trimmer_untrained.csv --kept-out ''

# 5. Decode-eviction diagnostic (2 prompts): reports/results/trimmer_decode_evict_check.txt
python reports/scripts/trimmer_decode_evict_check.py

# 6. H100 (2026-11-25 evening): the second version (attention prior) trained and benched at 4K, 8K and 32K by
#    reports/scripts/trimmer_gpu.sh (train 330 s = 532 steps at 2K-8K tokens, then eight bench processes at once);
#    the exact device calls are in reports/results/gpu_2026-11-25/COMMANDS.md. Its checkpoint is data/trimmer-smollm2.

# 7. LoRA ablation (CPU, 2026-11-25 evening): the H100 checkpoint trained 100 more steps with and without a rank-8 LoRA
#    adapter (q_proj, v_proj) on the same samples (seed 0), then both on the same bench prompts (1.1K tokens, n = 5)
#    -> reports/results/trimmer_lora.csv, reports/results/trimmer_lora_train.csv (column run)
icmos train trimmer --device cpu --threads 1 --init data/trimmer-smollm2 --steps 100 --lengths 600,800 \
  --out /tmp/abl/cont --curve /tmp/abl/cont_train.csv
icmos train trimmer --device cpu --threads 1 --init data/trimmer-smollm2 --lora-rank 8 --steps 100 --lengths 600,800 \
  --out /tmp/abl/lora --curve /tmp/abl/lora_train.csv
icmos bench trimmer --device cpu --threads 1 --checkpoint /tmp/abl/cont --policies full,trimmer \
  --tasks niah_single,niah_multikey,blockfacts,ppl --lengths 1100 --n 5 --max-new-tokens 48 --out /tmp/abl/bench_cont.csv --kept-out ''
icmos bench trimmer --device cpu --threads 1 --checkpoint /tmp/abl/lora --lora --policies full,trimmer \
  --tasks niah_single,niah_multikey,blockfacts,ppl --lengths 1100 --n 5 --max-new-tokens 48 --out /tmp/abl/bench_lora.csv --kept-out ''
# the presses on the same prompts with the same 48 new tokens (two processes), appended to trimmer_lora.csv
icmos bench trimmer --device cpu --threads 1 --policies streaming,tova,snapkv --tasks niah_single,niah_multikey,blockfacts,ppl \
  --lengths 1100 --n 5 --max-new-tokens 48 --out /tmp/abl/bench_p1.csv --kept-out ''
icmos bench trimmer --device cpu --threads 1 --policies knorm,h2o,expected_attention --tasks niah_single,niah_multikey,blockfacts,ppl \
  --lengths 1100 --n 5 --max-new-tokens 48 --out /tmp/abl/bench_p2.csv --kept-out ''
#   (stopped after its niah_single cell: H2O decodes slowly on this CPU; the rest without H2O's QA cells:)
icmos bench trimmer --device cpu --threads 1 --policies knorm,expected_attention --tasks niah_multikey,blockfacts \
  --lengths 1100 --n 5 --max-new-tokens 48 --out /tmp/abl/bench_p3.csv --kept-out ''
icmos bench trimmer --device cpu --threads 1 --policies knorm,h2o,expected_attention --tasks ppl --lengths 1100 --n 5 \
  --out /tmp/abl/bench_p4.csv --kept-out ''
# merge: trimmer_lora.csv = bench_cont + bench_lora + bench_p1..p4 rows (one header); trimmer_lora_train.csv = the two
# curves with a column run ('scorer only' = cont_train.csv, 'scorer + LoRA r=8' = lora_train.csv):
python - <<'PY'
import pandas as pd
pd.concat([pd.read_csv(f'/tmp/abl/{f}.csv') for f in ('bench_cont', 'bench_lora', 'bench_p1', 'bench_p2', 'bench_p3', 'bench_p4')]).to_csv('reports/results/trimmer_lora.csv', index=False)
pd.concat([pd.read_csv('/tmp/abl/cont_train.csv').assign(run='scorer only'), pd.read_csv('/tmp/abl/lora_train.csv').assign(run='scorer + LoRA r=8')]).to_csv('reports/results/trimmer_lora_train.csv', index=False)
PY
