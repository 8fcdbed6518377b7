#!/usr/bin/env python
"""Session 25 (issue 12): the oracle (the needle alone) on the two niah_single 128K questions that v5 and the bfloat16 oracle miss
(seed 29 of the n = 25 shard from seed 20, seed 8 of the grid), in float32 on the CPU. Run from the project root:
  OMP_NUM_THREADS=2 PYTHONPATH=. python reports/scripts/oracle_needle_fp32.py > reports/results/session25_2026-11-29/cpu/fp32_oracle_cpu.jsonl"""
import json
from icmos.core import ICMOSConfig, load_model
from icmos.tasks import make_sample
from icmos.bench_runtime import run_one, make_method
cfg = ICMOSConfig(device='cpu', max_new_tokens=48)
model, tok = load_model(cfg)
for seed, i, n in ((29, 9, 25), (8, 8, 20)):
    s = make_sample('niah_single', tok, 128000, seed, depth=(i + 0.5) / n)
    r = run_one('oracle', make_method('oracle', 2048), model, tok, s, cfg, 2048, None)
    print(json.dumps({'seed': seed, 'depth': (i + 0.5) / n, 'expected': s.answer, 'score': r['score'], 'answer': r['answer'], 'dtype': 'float32', 'device': 'cpu'}), flush=True)
