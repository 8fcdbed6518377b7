"""Merge one `stm_encoder_gpu.sh` run into reports/results: stm_encoder.csv (+ _train.csv, _samples.jsonl) and stm_2gpu.csv.

    python reports/scripts/stm_encoder_collect.py reports/results/stm_encoder_2026-11-27

stm_encoder.csv = the main job's rows (its optimiser reference, the controls, the three methods on the whole pool)
followed by the curve job's encoder rows (smaller training sets). The curve job measured its own optimiser row
(178.8 ms/example against the main job's 175.1; both are in the raw folder); its rows' speedups are recomputed here
against the main job's reference, so that one optimiser row serves the whole file. stm_2gpu.csv = the
optimiser through accelerate on 2 GPUs vs the first half of the same examples on one GPU of the same host."""
import json, sys
from pathlib import Path
import pandas as pd

run = Path(sys.argv[1]); R = Path(__file__).resolve().parents[1] / 'results'
main, curve = pd.read_csv(run / 'enc_main/stm_encoder.csv'), pd.read_csv(run / 'enc_curve/stm_encoder.csv')
curve = curve[curve.method.str.startswith('encoder-')].copy()
ref = main.loc[main.method == 'optimiser', 'ms_per_example'].iloc[0]
curve['speedup_vs_optimiser'] = ref / curve.ms_per_example
pd.concat([main, curve]).to_csv(R / 'stm_encoder.csv', index=False)
pd.concat([pd.read_csv(run / f'{j}/stm_encoder_train.csv') for j in ('enc_main', 'enc_curve')]).to_csv(R / 'stm_encoder_train.csv', index=False)
with open(R / 'stm_encoder_samples.jsonl', 'w') as f:
    for j in ('enc_main', 'enc_curve'): f.write((run / f'{j}/stm_encoder_samples.jsonl').read_text())
rows = []
for name in ('stm_1gpu', 'stm_2gpu'):
    s = pd.read_csv(run / name / 'stm.csv'); j, g = s[s.stage == '2-joint'].iloc[0], s[s.stage == '3-greedy'].iloc[0]
    P = 2 if 'x2 processes' in j.device else 1
    sec = j.n / j.examples_per_gpu_hour * 3600 / P   # the slowest process's optimisation seconds (summarise)
    rows.append(dict(processes=P, K=j.K, n=j.n, seconds=sec, mean_steps=j.mean_steps, examples_per_gpu_hour=j.examples_per_gpu_hour,
                     examples_per_hour=j.n / sec * 3600, converged_rate=j.converged_rate, exact_q_rate=g.exact_q_rate,
                     exact_a_rate=g.exact_a_rate, device=j.device))
d = pd.DataFrame(rows); d['speedup_vs_1gpu'] = d.examples_per_hour / d.examples_per_hour[d.processes == 1].iloc[0]
d.to_csv(R / 'stm_2gpu.csv', index=False)
print(pd.read_csv(R / 'stm_encoder.csv').to_string()); print(d.to_string())
