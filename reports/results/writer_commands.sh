# Tech report B (issue 15), first measurements: CPU, the project's 2-core machine, SmolLM2-135M-Instruct (embedded), float32.
# Each stage reads what the previous one wrote under --out; the eval stage appends rows to writer.csv.
set -euo pipefail
export OMP_NUM_THREADS=2
S=reports/scripts/writer_run.py
R=${RUNS:-/work/runs}   # checkpoints and histories (not in git)
# 1. the writer (Q-Former, N = 8 detail tokens per 128-token block: 16x), 120 steps of 6 examples, through the frozen LM
python $S writer --out $R/w16 --groups 300 --block-tokens 128 --n-tokens 8 --steps 120 --batch 6 --recon-tokens 32 --lr 1e-3
# 2. the index distiller + query projector on the frozen writer's detail tokens (600 InfoNCE steps)
python $S index --out $R/w16 --groups 300
# 3. held-out test: 100 groups (paraphrase templates never trained on) + prose fillers = 1,000 blocks; QA on 20 per task
python $S eval --out $R/w16 --test-groups 100 --pool 1000 --qa 20 --csv reports/results/writer.csv
# control: the same distiller training and test on an untrained (random) writer
python $S untrained --out $R/w0 --block-tokens 128 --n-tokens 8
python $S index --out $R/w0 --groups 300
python $S eval --out $R/w0 --test-groups 100 --pool 1000 --qa 20 --tag untrained-writer --no-baselines --csv reports/results/writer.csv
# training curves: $R/*/writer_history.csv and runs/*/distiller_history.csv, joined into writer_train_cpu.csv
# reconstruction pretraining alone (Head A off), the next session's first stage at CPU size: does Head B learn, and does D then hold more?
python $S writer --out $R/wrec --groups 300 --block-tokens 128 --n-tokens 8 --steps 120 --batch 6 --recon-tokens 32 --lr 1e-3 --explain-weight 0 --recon-weight 1
python $S index --out $R/wrec --groups 300
python $S eval --out $R/wrec --test-groups 100 --pool 1000 --qa 20 --tag recon-only-writer --no-baselines --csv reports/results/writer.csv
# collapse: the spread of D across 60 held-out blocks for each writer run, untrained and trained
python reports/scripts/writer_spread.py reports/results/writer_spread_cpu.csv "raw states, 120 steps=$R/w16_raw_states" \
  "standardised, 120 steps=$R/w16_std_collapsed" "standardised + spread hinge, 120 steps=$R/w16" "reconstruction only, 120 steps=$R/wrec"
python reports/scripts/writer_histories.py reports/results/writer_train_cpu.csv "raw states=$R/w16_raw_states" "standardised=$R/w16_std_collapsed" \
  "standardised + spread hinge=$R/w16" "untrained writer (control)=$R/w0" "reconstruction only=$R/wrec"
cat $R/w16/qa_samples.jsonl $R/w0/qa_samples.jsonl $R/wrec/qa_samples.jsonl > reports/results/writer_qa_samples.jsonl
# The runs w16_raw_states and w16_std_collapsed were made by earlier commits of the same script (c66b5c1: raw states;
# f28ad73: standardised states, before the spread hinge); w16_raw_states also ran `index` (its distiller stayed at chance).

# ---- First GPU run (2026-11-27, one NVIDIA H200, bf16 autocast; the same SmolLM2 GGUF). Four device calls, back to back:
#   bash ../shared/gpu/stage-smollm2.sh                    # here: the model in two halves under .gpu/
#   call 1, carry [".gpu/a"]:          mkdir -p /root/icmos-model && cp .gpu/a/part0 /root/icmos-model/
#   call 2, carry [".emb", ".gpuw"]:   bash reports/scripts/writer_gpu.sh stage      # MiniLM (fp16 copy) + bm25s / KJV wheels
#   call 3, carry [".gpu/b", ".gpu/w"]: bash .gpu/b/assemble.sh && bash reports/scripts/writer_gpu.sh start && sleep 2 && bash reports/scripts/writer_gpu.sh collect 560
#   call 4, 5:                          bash reports/scripts/writer_gpu.sh collect 560 ; bash reports/scripts/writer_gpu.sh collect 300
# `start` runs, each stage under its own wall-clock slice (--max-minutes from its absolute end, in seconds after start):
#   examples (120 s): writer_run.py examples --examples /root/wex/train.json --groups 16000 --workers 14 --block-tokens 128
#   pretrain (410 s): writer --out $R/pre --block-tokens 128 --n-tokens 8 --groups 16000 --batch 64 --recon-tokens 48 --steps 100000 --warmup 100 --lr 1e-3 --explain-weight 0 --recon-weight 1
#   Head A   (740 s): writer --out $R/w  (same) --lr 3e-4 --init $R/pre
#   index   (850 s / 1120 s): index --out $R/w (then $R/pre) --groups 16000 --index-steps 20000 --index-batch 256
#   eval   (1030 s / 1245 s): eval --out $R/w --test-groups 400 --pool 10000 --qa 50 ; eval --out $R/pre ... --tag recon-only-writer --no-baselines
# Steps done (the deadline, not --steps, ended each): pretrain 1010 in 333 s, Head A 1085 in 312 s, distiller 7275 (w) / 15541 (pre).
# The collects' files unpacked into $R/gpu1 (checkpoints RUN_PART.safetensors into RUN/PART/model.safetensors); then here:
#   rows: reports/results/writer.csv += $R/gpu1/writer.csv with device "NVIDIA H200" and model "smollm2" (the same embedded GGUF)
python reports/scripts/writer_histories.py reports/results/writer_train_gpu.csv "reconstruction pretraining (GPU)=$R/gpu1/pre" \
  "+ Head A on the pretrained writer (GPU)=$R/gpu1/w"
python reports/scripts/writer_spread.py reports/results/writer_spread_gpu.csv "reconstruction pretraining, 1010 steps (GPU)=$R/gpu1/pre" \
  "+ Head A, 1085 more steps (GPU)=$R/gpu1/w"
#   QA samples: $R/gpu1/{w,pre}/qa_samples.jsonl appended to writer_qa_samples.jsonl, run "gpu: pretrained + Head A" / "gpu: reconstruction only"

# 2026-11-27 (session 6), end to end on the CPU (2 threads): the runtime with the GPU run's reconstruction-only writer +
# distiller (runs/gpu1/pre, its config's fingerprint re-stamped with the architecture fingerprint: the whole-config one
# differed between transformers 5.17 on the GPU machine and 5.24 here) as a third ranker, on paraphrase needles of the
# 6 held-out templates only, 16K tokens, n = 10 -> writer_runtime.csv (runtime.csv's columns) + writer_runtime_samples.jsonl
python reports/scripts/writer_runtime_eval.py --encoder-dir /work/runs/gpu1/pre_fp --length 16K --n 10 \
  --rankers 'bm25,minilm;bm25,minilm,distilled' --out reports/results/writer_runtime.csv

# ---- GPU run 2 (session 19, 2026-11-28, one H200 shared with two other jobs; reports/results/session19_2026-11-28/README.md):
#   reports/scripts/session19_gpu.sh: calls 1-6 stage the model, MiniLM and wheels; call 7 `go` starts
#   `PLAN=v2 bash reports/scripts/writer_gpu.sh start` (examples; reconstruction-only writer to 660 s; its distiller to 790 s;
#   eval with baselines to 970 s; writer_runtime_eval.py --encoder-dir $R/pre --length 128K --n 20 to 1240 s), then `collect`.
#   rows: writer.csv += session19_2026-11-28/writer/writer.csv (device "NVIDIA H200", model "smollm2"; baselines renamed
#   minilm-run2 / bm25-run2 / none-run2); writer_runtime.csv += its writer_runtime.csv (model "SmolLM2-135M-Instruct")
python reports/scripts/writer_histories.py reports/results/writer_train_gpu2.csv \
  "reconstruction pretraining, run 2 (GPU, shared host)=reports/results/session19_2026-11-28/writer/pre"
# checkpoints (not in git): /work/runs/gpu2/pre/{writer,distiller}/model.safetensors + config.json (the collect's pre_*.safetensors)
