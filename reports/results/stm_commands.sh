#!/bin/bash
# The runs behind reports/results/stm*.csv (STM phase 1a, issue 8) and how their outputs were merged.
# Device: one NVIDIA H100 80GB HBM3; the model file staged as in shared/gpu/stage-smollm2.sh. Report:
# nbs/reports/2026-11-23_stm-phase1a.ipynb (Setup section, with the same commands).
set -e
[ "${GPU:-0}" = 1 ] || { echo 'GPU runs: set GPU=1 on the GPU machine (the merges at the end run anywhere: MERGE=1)'; }
M=SmolLM2-135M-Instruct.Q4_1.gguf
if [ "${GPU:-0}" = 1 ]; then
# run 1 (2026-11-23): lr sweep + K=4, 8 (its time budget stopped it after K=8; mitigations at K=8)
icmos bench stm --model $M --device cuda --dtype bfloat16 --K 4 8 16 32 64 --n 100 \
  --steps 300 --restarts 2 --lr auto --lr-grid 1.0 0.3 0.1 0.03 --lr-n 16 --lr-steps 100 --mitigations-K 8 \
  --mitigations-n 50 --single-n 2 --stages 2 1 --time-budget 200 --work-dir /tmp/stm-work --out run1
# run 2 (2026-11-23): K=16, 32 and the mitigations at K=16, lr fixed to run 1's choice
icmos bench stm --model $M --device cuda --dtype bfloat16 --K 16 32 --n 100 \
  --steps 300 --restarts 2 --lr 0.03 --mitigations-K 16 --mitigations-n 50 --single-n 0 --stages 2 1 \
  --time-budget 150 --out run2
# run 3 (2026-11-25, after the stop-selection fix): K=64 and K=4, 8 again; outputs kept as
# reports/results/gpu_2026-11-25/stm_rerun{,_examples,_curves}.csv (log stm.log there)
icmos bench stm --model $M --device cuda --dtype bfloat16 --K 64 4 8 --n 100 \
  --steps 300 --restarts 2 --lr 0.03 --mitigations-K 0 --single-n 0 --stages 2 1 --time-budget 980 \
  --out /root/res/stm --no-progress
fi
# (the --out folders of runs 1 and 2 are named run1/run2 here; each run writes stm.csv, stm_examples.csv,
#  stm_curves.csv, stm_mitigations.csv, stm_lr.csv, stm_throughput.csv into its --out folder)

if [ "${MERGE:-0}" = 1 ]; then
python - <<'PY'
import pandas as pd
R = 'reports/results'
# 2026-11-23 (reconstructed 2026-11-26: the merge was not recorded and the run folders were not kept; the committed files
# match it: stm_examples / stm_curves have K=4, 8 under run 1 and K=16, 32 under run 2, stm_mitigations K=8 / K=16):
# the per-example, curve and mitigation tables of runs 1 and 2, one file each, with a column run (1, 2)
for f in ('stm_examples', 'stm_curves', 'stm_mitigations'):
    pd.concat([pd.read_csv(f'run{i}/{f}.csv').assign(run=i) for i in (1, 2)]).to_csv(f'{R}/{f}.csv', index=False)
# 2026-11-23: stm.csv = run 1's rows (K=4, 8) + run 2's (K=16, 32)
pd.concat([pd.read_csv('run1/stm.csv'), pd.read_csv('run2/stm.csv')]).to_csv(f'{R}/stm.csv', index=False)
PY
fi
# 2026-11-25 (commit 7f37b30): the re-run's rows replaced every K it ran (4, 8) and added K=64, rows ordered by K, then
# stage; the replaced pre-fix rows went to stm_before_stop_fix.csv. Run at the repo root, this reproduces both committed
# files byte for byte from the previous stm.csv and stm_rerun.csv (checked 2026-11-26):
if [ "${MERGE:-0}" = 1 ]; then
python - <<'PY'
import pandas as pd
R = 'reports/results'
import io, subprocess
prev = subprocess.run(['git', 'show', f'7f37b30^:{R}/stm.csv'], capture_output=True, text=True, check=True).stdout
old, new = pd.read_csv(io.StringIO(prev)), pd.read_csv(f'{R}/gpu_2026-11-25/stm_rerun.csv')
old[old.K.isin(new.K)].to_csv(f'{R}/stm_before_stop_fix.csv', index=False)
order = {'1-q': 0, '1-a': 1, '2-joint': 2, '3-greedy': 3}
m = pd.concat([old[~old.K.isin(new.K)], new])
m.sort_values(['K', 'stage'], key=lambda c: c.map(order) if c.name == 'stage' else c).to_csv(f'{R}/stm.csv', index=False)
PY
fi
