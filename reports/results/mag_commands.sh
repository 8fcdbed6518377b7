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

# 3. after 1.: MAG (the last curriculum checkpoint) on the same QA cells, with the gate/surprise diagnostics of one
#    needle sample; then all four variants on prose perplexity back to back in one process (so their tok_s compare);
#    then the same adapter with memory writing off on the QA cells (the "is it the memory?" control)
icmos bench mag --checkpoint checkpoints/mag/vardep-34 --variants mag --tasks niah_single,hashhop,vardep --lengths 1K \
  --window 256 --n 5 --max-new-tokens 32 --device cpu --threads 1 --out reports/results/mag.csv \
  --diag-out reports/results/mag_diag.csv
icmos bench mag --checkpoint checkpoints/mag/vardep-34 --variants mag,mag_nowrite,streaming,full --tasks ppl \
  --lengths 512 --window 256 --n 5 --device cpu --threads 1 --out reports/results/mag.csv
icmos bench mag --checkpoint checkpoints/mag/vardep-34 --variants mag_nowrite --tasks niah_single,hashhop,vardep \
  --lengths 1K --window 256 --n 5 --max-new-tokens 32 --device cpu --threads 1 --out reports/results/mag.csv

# 4. the same-window baseline again with 64-token prefill chunks, like MAG (with the default 512-token chunks the
#    streaming cache is only evicted every 512 tokens, so its last chunk sees up to 256 + 512 tokens back: not the same
#    window; those first rows are kept in reports/results/mag_streaming_chunk512.csv), and the ppl cells of all four
#    variants back to back with the same chunking (these replace the ppl rows of 3.)
#    Before 4., the streaming rows of 2. and 3. (default 512-token prefill chunks) were copied out with a column saying so
#    (the command was not recorded at the time; this one, written 2026-11-26, gives the committed file's rows: three of
#    them are also in commit 7b3fc51's mag.csv, the ppl row was replaced by 4. before any commit):
python -c "import pandas as pd; m = pd.read_csv('reports/results/mag.csv'); m[m.variant == 'streaming'].assign(prefill_chunk=512).to_csv('reports/results/mag_streaming_chunk512.csv', index=False)"
icmos bench mag --checkpoint checkpoints/mag/vardep-34 --variants mag,mag_nowrite,streaming,full --tasks ppl \
  --lengths 512 --window 256 --n 5 --chunk-size 64 --device cpu --threads 1 --out reports/results/mag.csv
icmos bench mag --variants streaming --tasks niah_single,hashhop,vardep --lengths 1K --window 256 --n 5 \
  --chunk-size 64 --max-new-tokens 32 --device cpu --threads 1 --out reports/results/mag.csv

# 5. the diagnostics again with the mix rows (relative change of the attention output, with and without writing),
#    same adapter and sample as in 3. (replaces mag_diag.csv)
icmos bench mag --checkpoint checkpoints/mag/vardep-34 --diag-only --lengths 1K --window 256 --device cpu --threads 1 \
  --diag-out reports/results/mag_diag.csv

# 6. niah_single, the one task full attention solves at this scale, with n = 15 for all four variants (replaces the
#    n = 5 niah_single rows of 2.-4.)
icmos bench mag --checkpoint checkpoints/mag/vardep-34 --variants mag,mag_nowrite,streaming,full --tasks niah_single \
  --lengths 1K --window 256 --n 15 --chunk-size 64 --max-new-tokens 32 --device cpu --threads 1 --out reports/results/mag.csv

# ---------------------------------------------------------------------------------------------------------------------
# GPU (2026-11-25 evening): one NVIDIA H100 80GB HBM3 (nvidia-h100-x1), transformers 5.17.0, torch 2.11.0+cu130; the
# H100 rows of reports/results/mag.csv (device 'NVIDIA H100 80GB HBM3') and reports/results/mag_train_gpu.csv.
# Call by call, with the staging: reports/results/gpu_2026-11-25/COMMANDS.md (log: mag.log there).
# 7. training (needle, hashhop-short, vardep-2 at 4K tokens, W = 512) and the niah_single 4K cells: the mag job of
#    `bash reports/scripts/gpu_session.sh start 1100`, i.e. reports/scripts/mag_gpu.sh 1100, in the background next to
#    three other jobs on the same GPU (its 1100 s ran out after niah_single 4K; its other bench lines were skipped).
# 8. "call 5": the cells the mag job had no time for, on the same warm machine after the other jobs had finished, two
#    processes at once, with the mag job's last checkpoint; rows merged into reports/results/mag.csv by the merge below.
#    M: the model file staged on the GPU machine; OUT: the call's result folder.
#    Run only on the GPU machine (GPU=1): the CPU steps above do not need it.
if [ "${GPU:-0}" = 1 ]; then
M=/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf
CK=/root/mag-ckpt/vardep-2
icmos bench mag --model $M --device cuda --threads 4 --checkpoint $CK --variants mag,mag_nowrite,streaming,full \
  --tasks ppl --lengths 512 --window 512 --n 5 --chunk-size 64 --out ${OUT:?}/mag_gpu2.csv --time-limit 100 &
icmos bench mag --model $M --device cuda --threads 4 --checkpoint $CK --variants mag,streaming --tasks niah_single \
  --lengths 16K --window 512 --n 6 --chunk-size 64 --max-new-tokens 48 --out ${OUT:?}/mag_gpu3.csv --time-limit 300 &
wait
fi

# 9. the merge of the H100 rows (7. wrote $R/mag_gpu.csv, 8. $OUT/mag_gpu2.csv and $OUT/mag_gpu3.csv; all three copied into
#    /tmp/magres) into reports/results/mag.csv: the CPU rows first, unchanged, then the H100 rows; a row with the key of
#    `icmos bench mag` (variant, task, context_tokens, attn_window, device, model) replaces an earlier one. The committed
#    file has the 16 CPU rows of commit 7f37b30^ unchanged, then the 8 H100 rows, and no repeated key (checked 2026-11-26;
#    the session's own merge step was not recorded and the three inputs were not kept: this is the rule, reconstructed).
if [ "${MERGE:-0}" = 1 ]; then
python - <<'PY'
import pandas as pd
key = ['variant', 'task', 'context_tokens', 'attn_window', 'device', 'model']
m = pd.concat([pd.read_csv(f) for f in ('reports/results/mag.csv', '/tmp/magres/mag_gpu.csv', '/tmp/magres/mag_gpu2.csv', '/tmp/magres/mag_gpu3.csv')])
m.drop_duplicates(key, keep='last').to_csv('reports/results/mag.csv', index=False)
PY
fi

# ---------------------------------------------------------------------------------------------------------------------
# GPU (2026-11-27, issue 17, 16:11-16:28 UTC): GPU 2 of a 4x NVIDIA H200 host (other jobs on the other GPUs; this job had
# GPU 2 alone), transformers 5.17.0, torch 2.11.0+cu130, bfloat16; SmolLM2-135M-Instruct (Q4_1 GGUF, dequantised).
# The raw results are in reports/results/mag17_2026-11-27/ (see its README.md); the rows shown in the report are in
# reports/results/mag_gpu_v2.csv (mag.csv's columns; not merged into mag.csv, whose H100 rows the 2026-11-25 section reads).
# 10. the run, on the GPU machine from the repo root (code of commit 6fc22c0: commit.txt of the run names b65a130, the
#     checkout's HEAD, but the device ran the working tree, whose icmos/mag.py and mag17_gpu.sh are those of 6fc22c0),
#     the model at M (default /root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf), /tmp/site holding gguf:
if [ "${GPU:-0}" = 1 ]; then
bash reports/scripts/mag17_gpu.sh start     # defaults: GPU=2 TOTAL=1110 TRAIN_S=640 LEN=4096 BATCH=16 N=64 BENCH_B=64 LR=2e-3
bash reports/scripts/mag17_gpu.sh collect   # PHASES=needle,hashhop-long; packs $OUT/mag.tgz and $OUT/mag_adapter.tgz.part{aa,ab}
fi
#     What `start` ran, in order (R=/root/mag17, ICM = python3 -c 'from icmos.cli import main; ...' on a snapshot of icmos/,
#     CK=$R/ckpt/hashhop-long, the last phase's checkpoint; the --time-limit values are TOTAL less the time used, from run.log):
#       icmos train mag --model $M --device cuda --dtype bfloat16 --threads 4 --phase needle,hashhop-long --steps 100000 \
#         --time-limit 305 --window 512 --mem-chunk 64 --length 4096 --batch 16 --workers 2 --log-every 1 --save-every 5 \
#         --lr 2e-3 --out $R/ckpt --log $R/mag_train_gpu.csv
#       icmos bench mag --model $M --device cuda --dtype bfloat16 --threads 4 --checkpoint $CK --variants mag,streaming,full \
#         --tasks niah_single,hashhop --lengths 16K,4K --window 512 --max-new-tokens 32 --chunk-size 64 --time-limit 377 \
#         --n 64 --batch 64 --out $R/mag_gpu.csv
#       icmos bench mag ... --variants mag,streaming,full --tasks ppl --lengths 512 ... --time-limit 198 --n 10 --out $R/mag_gpu.csv
#       icmos bench mag ... --variants mag --tasks niah_single --lengths 4K ... --time-limit 161 --diag-only --out $R/mag_gpu.csv \
#         --diag-out $R/mag_diag_gpu.csv --probe-out $R/mag_probe_gpu.csv
#       icmos bench mag ... --variants mag,streaming --tasks niah_single,hashhop --lengths 32K ... --time-limit 86 --n 64 \
#         --batch 64 --out $R/mag_gpu.csv      (the limit stopped it after niah_single: 32K hash-hop did not run)
# 11. here (CPU): unpack mag.tgz (results, no weights) from the call's result folder D into mag17_2026-11-27/. mag_diag_gpu.csv
#     (469,291 rows, 11.6 MB) and mag_probe_gpu.csv (117,390 rows, 3.3 MB) are not committed whole: the probe goes in gzipped
#     with err/err0 rounded to 4 decimals (every row kept); the diagnostics as per-layer statistics of every token
#     (exact) plus 32-token block means per layer for the plots. The adapter (mag_adapter.tgz.part*) is not committed.
if [ "${UNPACK:-0}" = 1 ]; then
D=${D:?"set D to the folder holding step 10's mag.tgz (the device call's result folder), e.g. UNPACK=1 D=<folder> bash reports/results/mag_commands.sh"}
T=$(mktemp -d); tar -xzf "$D/mag.tgz" -C "$T"; S=$T/mag17; O=${O:-reports/results/mag17_2026-11-27}
mkdir -p $O; cp $S/mag_gpu.csv $S/mag_train_gpu.csv $S/commit.txt $S/DONE $O/
for p in ${PH:-needle hashhop-long}; do cp $S/ckpt/$p/mag_config.json $O/mag_config_$p.json; done
# the log without the progress bars: every line but tqdm's, and the bench lines that followed a bar on the same line
tr '\r' '\n' < $S/run.log | sed -E 's/^bench mag:[^]]*\]//' | grep -vE '^(mag [a-z-]+:|bench mag:)' | grep -v '^\s*$' > $O/run_excerpt.log
python - "$S" "$O" <<'PY'
import sys, pandas as pd
S, O = sys.argv[1:]
pd.read_csv(f'{S}/mag_probe_gpu.csv').round({'err': 4, 'err0': 4}).to_csv(f'{O}/mag_probe_gpu.csv.gz', index=False)
d = pd.read_csv(f'{S}/mag_diag_gpu.csv'); tok = d[d.kind != 'needle']
g = tok.groupby(['kind', 'layer']).value
lay = pd.DataFrame({'mean': g.mean(), 'max': g.max(), 'n_tokens': g.size(), 'frac_above_5': g.apply(lambda v: (v > 5).mean())})
lay.round(5).reset_index().to_csv(f'{O}/mag_diag_gpu_layers.csv', index=False)
blk = tok.assign(block=tok.position // 32 * 32).groupby(['kind', 'layer', 'block']).value.mean().round(5).reset_index()
pd.concat([blk, d[d.kind == 'needle'].rename(columns={'position': 'block'})]).to_csv(f'{O}/mag_diag_gpu_blocks32.csv.gz', index=False)
PY
[ "$O" = reports/results/mag17_2026-11-27 ] && cp $O/mag_gpu.csv reports/results/mag_gpu_v2.csv
rm -rf "$T"
fi
# 12. session 15 (2026-11-28; one H200 beside the runtime grid of runtime15_2026-11-28/, commit 25a61be plus this script's
#     RESUME/SEED/SKIP_BENCH/BTASKS): the needle phase alone for 540 s (87 optimizer steps of 16 samples of 4,096 tokens, fresh
#     adapter, training seeds from 210000), then the bench (niah_single only), on GPU 0; unpacked as in step 11 into
#     mag17_2026-11-28/. The adapter (ckpt/needle, not committed) is the start of the next run: RESUME=<its folder> with a new SEED.
if [ "${GPU:-0}" = 1 ]; then
GPU=0 TOTAL=840 TRAIN_S=540 PHASES=needle SEED=210000 BTASKS=niah_single bash reports/scripts/mag17_gpu.sh start
bash reports/scripts/mag17_gpu.sh collect 200
fi
#     Unpacked by step 11's block with UNPACK=1 O=reports/results/mag17_2026-11-28 PH=needle D=<the call's result folder>.
# 13. session 15, second run (one H200 beside the runtime jobs of runtime15_2026-11-28b/, tree at 413d0d4): step 12's adapter resumed
#     (carry [.gpu/mag15], the collect's mag_adapter.tgz.part* of step 12), 36 more steps, then the niah_single bench; files by hand
#     into mag17_2026-11-28b/ as in step 11 (no diagnostics: the time limit skipped them):
if [ "${GPU:-0}" = 1 ]; then
mkdir -p /root/mag15ck && cat .gpu/mag15/mag_adapter.tgz.part* | tar -xz -C /root/mag15ck
RESUME=/root/mag15ck/ckpt/needle SEED=310000 GPU=0 TOTAL=440 TRAIN_S=280 PHASES=needle BTASKS=niah_single R=/root/mag17b bash reports/scripts/mag17_gpu.sh start
R=/root/mag17b bash reports/scripts/mag17_gpu.sh collect 250
fi
