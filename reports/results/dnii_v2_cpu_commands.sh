# reports/results/dnii_v2_cpu.csv (issue 18, first increment): DNII v1 (main @ d280adf) vs v2 (branch dnii2) vs faiss,
# 200K vectors, d=256, 2 CPU threads, on the shared 2-core development machine (other jobs running: timings are noisy).
# (The recorded run had --clusters-out '' inside the quoted $B, i.e. a literal file name "''": its cluster frames went
# there and were deleted; --clusters-out= writes none, as intended. Nothing else differs.)
# Code: branch dnii2 at 3a1a4d6; run 2026-11-27 00:13-00:24 UTC. The synthetic-drift static rows of faiss-ivf and
# dnii (v2) were measured while a 1-thread partition experiment of the same session ran (00:22-00:23): their
# latencies and dnii's 54K/s insert rate are pessimistic; the dnii-v1 rows came after it.
# Each command runs this tree's `icmos bench dnii` grid, then v1's bench_main on the same data (rows relabelled dnii-v1).
export PYTHONPATH=$PWD OMP_NUM_THREADS=2
B="python reports/scripts/dnii_v2_bench.py --v1 d280adf --n 200000 --d 256 --queries 1000 --latency-queries 100 --ef 16,32,64,128,256 --ivf-nprobe 8,16,32,64,128 --nprobe 8,16,32,64,128 --threads 2 --clusters-out="
$B --hard --efc 40,200 --out reports/results/dnii_v2_cpu.csv                        # hard set: 2,048 centres, noise = centres' spread
$B --datasets synthetic --efc 40,200 --append --out reports/results/dnii_v2_cpu.csv  # the drifting clusters of issue 5
# then, the runtime's list size (DNIIIndex uses list_size=256), DNII v2 and v1 only, appended:
$B --hard --indexes dnii --list-size 256 --append --out reports/results/dnii_v2_cpu.csv

# ---------------------------------------------------------------------------------------------------------------------
# dnii-v2b (issue 18, step 2: lists in faiss inverted lists, faiss hop 1 by L2, one-thread list maintenance,
# reassign_neighbors 16, kmeans_iters 12). Branch dnii3. Each command is one process: faiss flat / HNSW (efC 40 and
# 200; streaming: efC 40) / IVF and DNII on the same rows, in the same run; the faiss rows of these runs are appended
# with the index suffixed "@v2b" (faiss-hnsw@v2b, ...) so that they are not mixed with the first increment's peers.
# Machine: the shared 2-core development machine, load average 3.5-5.7 from other jobs during both runs: every
# latency and rate here is pessimistic and noisy (the same faiss HNSW efC 40 build ran at 3.5K/s here vs 5.0K/s in the
# first increment; IVF static adds 70K/s vs 154K/s), which is why the peers are re-measured in the same run.
# hard set: code at 8616742, run 2026-11-27 09:52-10:04 UTC
# synthetic drifting clusters: code at 71cb36e (same code, prose changes only), run 2026-11-27 10:04-10:12 UTC
export PYTHONPATH=$PWD OMP_NUM_THREADS=2
C="icmos bench dnii --n 200000 --d 256 --queries 1000 --latency-queries 100 --ef 16,32,64,128,256 --efc 40,200 --ivf-nprobe 8,16,32,64,128 --nprobe 4,8,16,32,64 --threads 2 --list-size 256 --label dnii-v2b --clusters-out="
$C --datasets hard --out /tmp/dn/bench/hard.csv
$C --datasets synthetic --out /tmp/dn/bench/syn.csv
# appended to reports/results/dnii_v2_cpu.csv with the faiss rows' index suffixed:
for f in /tmp/dn/bench/hard.csv /tmp/dn/bench/syn.csv; do
  tail -n +2 $f | awk -F, 'BEGIN{OFS=","} $1 !~ /^dnii/ {$1=$1"@v2b"} {print}' >> reports/results/dnii_v2_cpu.csv
done
# 1M rows of the hard set, code at 26b584e, run 2026-11-27 10:18-10:32 UTC on the same loaded machine (load average ~6):
# HNSW efC 40 only (an efC 200 build of 1M rows would take ~30 min here); indexes in the order dnii, ivf, hnsw so that
# the time budget falls on HNSW; the HNSW streaming build (~7 min at 2.4K/s) was still running when the run was stopped
# (kill of its PID at 10:32 UTC): no HNSW streaming rows at 1M.
$C --datasets hard --n 1000000 --efc 40 --indexes dnii,ivf,hnsw --budget-s 840 --out /tmp/dn/bench/m1.csv   # (--n overrides $C's)
tail -n +2 /tmp/dn/bench/m1.csv | awk -F, 'BEGIN{OFS=","} $1 !~ /^dnii/ {$1=$1"@v2b"} {print}' >> reports/results/dnii_v2_cpu.csv

# ---------------------------------------------------------------------------------------------------------------------
# reports/results/dnii_lire_cpu.csv (issue 18, session 11, 2026-11-27 22:20-22:35 UTC): LIRE after a split by SPFresh's two
# conditions (`DNIIConfig(lire='new')`: a neighbour's entries are checked against the two new centroids only) against the full
# re-assignment ('full', the default), streaming hard set 200K, list_size 256, two runs each in turn (column `run`), then the faiss
# peers; the 2-core machine was running a CI job at the same time (load ~3-4): every rate here is low and noisy, recall is not.
C="icmos bench dnii --n 200000 --d 256 --queries 1000 --latency-queries 100 --ef 16,32,64,128,256 --ivf-nprobe 8,16,32,64,128 --nprobe 4,8,16,32,64 --threads 2 --list-size 256 --clusters-out= --datasets hard --workloads streaming"
for r in 1 2; do
  $C --indexes dnii --label dnii-v2b --lire full --out full$r.csv
  $C --indexes dnii --label dnii-v2c --lire new --out new$r.csv
done
$C --indexes hnsw,ivf --efc 40 --out peers.csv
# joined into dnii_lire_cpu.csv (DNII rows relabelled dnii-lire-full / dnii-lire-new, ";run=R" added to params)
# the profile behind the LIRE attempt (one thread, hard set 100K, list_size 256):
python reports/scripts/dnii_split_profile.py --n 100000 --list-size 256 --out reports/results/dnii_split_profile_cpu.csv

# ---------------------------------------------------------------------------------------------------------------------
# reports/results/dnii_split_batch_cpu.csv and dnii_split_batch_profile_cpu.csv (issue 18, 2026-11-28 01:52-01:59 UTC, branch
# dnii-batch): splits of one insert step batched (`DNIIConfig(split_batch=True)`, now the default: one 2-means per list, then one
# LIRE pass over the union of the step's split neighbourhoods) against one split at a time (`split_batch=False`, the previous code).
# Shared 2-core machine with a CI job and another notebook test running (load average 6-7): rates are low and noisy, recall is not.
# Code at f1eec52 (the 120K-180K split_batch=0 rows: e122101, whose one-at-a-time path is the same code, run 01:52-01:54). Profile (one thread, hard set 100K, list_size 256, 10 batches + 10% deletes), old/new interleaved twice:
for r in 1 2; do for sb in 0 1; do
  python reports/scripts/dnii_split_profile.py --n 100000 --list-size 256 --split-batch $sb --append --run $r --out reports/results/dnii_split_batch_profile_cpu.csv
done; done
# Streaming hard set, 100K and 200K (each size its own data, seed n + d), old/new interleaved twice:
C="icmos bench dnii --n 100000,200000 --d 256 --queries 1000 --latency-queries 100 --nprobe 4,8,16,32,64 --threads 2 --list-size 256 --clusters-out= --datasets hard --workloads streaming --indexes dnii"
for r in 1 2; do
  $C --label dnii-split-seq --split-batch 0 --out seq$r.csv
  $C --label dnii-split-batch --split-batch 1 --out batch$r.csv
done
# three more data sets (recall only: nprobe 16, 32; 20 latency queries), once each (not interleaved: their insert rates are rougher):
C2="icmos bench dnii --n 120000,150000,180000 --d 256 --queries 1000 --latency-queries 20 --nprobe 16,32 --threads 2 --list-size 256 --clusters-out= --datasets hard --workloads streaming --indexes dnii"
$C2 --label dnii-split-seq --split-batch 0 --out seq.csv
$C2 --label dnii-split-batch --split-batch 1 --out batch.csv
# joined into dnii_split_batch_cpu.csv (";run=R" added to params; the 120K-180K rows run=1). Superseded variants of the batched path
# (not in the CSV; recall@10 at nprobe 16 / 32, one-at-a-time in brackets):
#   e75f8d0 (a split's neighbourhood left out the other lists split in the same pass): 200K 0.9453 / 0.9622 (0.9519 / 0.9681),
#     100K 0.9009 / 0.9424 (0.8992 / 0.9393), 50-51K inserts/s at 200K;
#   e122101 (neighbourhoods fixed, split centroids not re-centred after the pass): 100K 0.8934 / 0.9342, 120K 0.9045 / 0.9376,
#     150K 0.9288 / 0.9518, 180K 0.9567 / 0.9722, 200K 0.9557 / 0.9725: 0.003 below one-at-a-time on average.

# ---------------------------------------------------------------------------------------------------------------------
# reports/results/dnii_lire_batch_cpu.csv and dnii_lire_batch_profile_cpu.csv (issue 18, 2026-11-28 04:20-04:25 UTC, branch
# dnii-fast at 22aba1b): the LIRE pass and routing of the batched splits made cheaper (faiss knn for routing and LIRE scoring, each
# list scored where it lies, movers copied out, lists that lost entries close their gaps in place, 2-means in numpy; label
# dnii-lire-batch) against the previous code (main at 86d06d6, label dnii-split-batch, as in dnii_split_batch_cpu.csv), both with the
# default split_batch=True. The old code ran from a git worktree of 86d06d6 (/tmp/h1/old) put first on PYTHONPATH; each command
# is one process. Shared 2-core machine, other helpers' jobs running (load average 4.8-5.0): rates are low and noisy, recall is not.
# (The branch's later commit 1150b20 only tidies the code: the same splits, moves and compactions on the 100K stream.)
C="icmos bench dnii --n 100000,200000 --d 256 --queries 1000 --latency-queries 100 --nprobe 4,8,16,32,64 --threads 2 --list-size 256 --clusters-out= --datasets hard --workloads streaming --indexes dnii"
export OMP_NUM_THREADS=2
for r in 1 2 3; do
  PYTHONPATH=/tmp/h1/old $C --label dnii-split-batch --out old$r.csv
  PYTHONPATH=$PWD $C --label dnii-lire-batch --out new$r.csv
done
# joined into dnii_lire_batch_cpu.csv (";run=R" added to params). Profile (one thread, hard set 100K, list_size 256, 10 batches + 10%
# deletes), old/new interleaved twice, right after (code column: which tree was on PYTHONPATH):
for r in 1 2; do for code in old new; do
  P=$([ $code = old ] && echo /tmp/h1/old || echo $PWD)
  PYTHONPATH=$P python reports/scripts/dnii_split_profile.py --n 100000 --list-size 256 --split-batch 1 --append --run $r --code $code --out reports/results/dnii_lire_batch_profile_cpu.csv
done; done

# ---------------------------------------------------------------------------------------------------------------------
# reports/results/dnii_insert_s16_cpu.csv and dnii_insert_s16_profile_cpu.csv (issue 18, session 16, 2026-11-28 14:09-14:20 UTC,
# branch dnii16): streamed inserts with the same index built more cheaply (numpy views of the faiss lists in the split pass,
# movers copied straight into destination order, each list's rows gathered from the batch, LIRE scoring on faiss's GEMM path,
# the knn calls spread over the caller's threads, items claimed one at a time). Three codes, each from `git archive <rev> icmos`
# into /tmp/h16/rev/<rev>, put first on PYTHONPATH, one process per command, in turn:
#   fcd890c (main before this session, label dnii-lire-batch), 4a6a276 (this branch, one-thread changes only, dnii-s16-1t),
#   410540f (this branch, final code, dnii-s16).
# Shared 2-core machine (other helpers' jobs running; load average ~5 during these runs, 0.5-5 over the session): rates are
# noisy, recall is not (each code gives the same index in every run; the three codes give the same index).
export OMP_NUM_THREADS=2
C="icmos bench dnii --n 100000,200000 --d 256 --queries 1000 --latency-queries 100 --nprobe 16,32 --threads 2 --list-size 256 --clusters-out= --datasets hard --workloads streaming --indexes dnii"
for r in 1 2 3 4; do
  PYTHONPATH=/tmp/h16/rev/fcd890c $C --label dnii-lire-batch --out old$r.csv
  PYTHONPATH=/tmp/h16/rev/4a6a276 $C --label dnii-s16-1t --out serial$r.csv
  PYTHONPATH=/tmp/h16/rev/410540f $C --label dnii-s16 --out new$r.csv
done
# joined into dnii_insert_s16_cpu.csv (";run=R" added to params):
python - <<'PY'
import pandas as pd
fs = [(f'{c}{r}.csv', r) for r in (1, 2, 3, 4) for c in ('old', 'serial', 'new')]
d = pd.concat([pd.read_csv(f).assign(params=lambda x, r=r: x.params + f';run={r}') for f, r in fs])
d.to_csv('reports/results/dnii_insert_s16_cpu.csv', index=False)
PY
# Profile (cProfile of the inserts, 2 threads as the bench, hard set 100K and 200K, list_size 256, 10 batches + 10% deletes),
# old (fcd890c) / new (410540f) interleaved twice, right after:
for r in 1 2; do for n in 100000 200000; do for code in old new; do
  P=$([ $code = old ] && echo /tmp/h16/rev/fcd890c || echo /tmp/h16/rev/410540f)
  PYTHONPATH=$P python reports/scripts/dnii_split_profile.py --n $n --list-size 256 --split-batch 1 --threads 2 --append --run $r --code $code --out reports/results/dnii_insert_s16_profile_cpu.csv
done; done; done
# (cProfile sees the calling thread only: knn calls that _spread's worker made are not in the new code's figures.)
# Superseded variants (same commands, not in the CSV; inserts/s at nprobe 16 per round, 100K / 200K):
#   a69dad0 (a fixed two-way split of the knn work, no GEMM-path change), 3 rounds at load ~2-3: new 117-129K / 107-112K,
#     one-thread 4a6a276 97-122K / 85-115K, old 93-100K / 90-92K;
#   78b6427 (fixed split + GEMM path), 5 rounds, load ~2 then ~5: new 97-120K / 68-102K, one-thread 78-124K / 78-108K,
#     old 68-99K / 70-85K. Under load the fixed split waited for the descheduled worker's share: at 200K new/old 0.84-0.93
#     in the last two rounds, hence the items claimed one at a time in 410540f.

# Issue 18, "beyond one host" (session 17): DNII vs its to_faiss_shards export (faiss IndexShards of IndexIVFFlat) at
# 1/2/4 shards, 50K hard set, d=256, inserted in 10 batches, 10% deleted; same queries, same recall reference, one run
# on the shared 2-core machine (load ~0.3), ~5 s. `same_ids` in params: fraction of result ids equal to DNII's.
python reports/scripts/dnii_shards_check.py --n 50000 --d 256 --shards 1,2,4 --nprobe 16,32 --threads 2 --out reports/results/dnii_shards_cpu.csv

# ---------------------------------------------------------------------------------------------------------------------
# reports/results/dnii_search_s17_cpu.csv (issue 18, session 17, branch dniisearch17): DNII.search before (8d47a28, label
# dnii-s17-old) / after (982a545, dnii-s17-new: tombstones stored as NaN vectors so faiss's scan needs no IDSelectorBitmap, input
# checks in numpy, faiss's order kept when no scores tie, SearchParametersIVF cached) beside faiss HNSW32 (efC 40 and 200, built on
# the live rows) on the hard set, 50K and 200K, d 256, 10 batches streamed then 10% deleted. One process per command; the old and
# new builds interleaved 3 times (inserts/s: median), every setting's single-query latencies in 3 interleaved rounds of 200
# queries (p50 / p99 over the 600). `same_ids=1;max_abs_diff=0` in the new rows: the old code's ids and scores.
# Shared 2-core machine, load ~0.1-0.3 before the run (no other job seen); run 2026-11-28 17:24-17:29 UTC.
export OMP_NUM_THREADS=2
mkdir -p /tmp/h18/old /tmp/h18/new
git archive 8d47a28 icmos | tar -x -C /tmp/h18/old && mv /tmp/h18/old/icmos /tmp/h18/old/icmos_old
git archive 982a545 icmos | tar -x -C /tmp/h18/new
PYTHONPATH=/tmp/h18/new python reports/scripts/dnii_search_check.py --old /tmp/h18/old --n 50000,200000 --nprobe 8,16,32,64 \
  --ef 16,32,64,128 --efc 40,200 --rounds 3 --latency-queries 200 --threads 2 --out reports/results/dnii_search_s17_cpu.csv
# streamed inserts with deletes in between (100K, 20 batches, 10% of a batch deleted after each), old / new interleaved 3 times;
# printed (not a CSV), 17:30 UTC: median old 144,869 inserts/s 662,382 deletes/s, new 147,819 inserts/s 189,898 deletes/s, same ids 1
PYTHONPATH=/tmp/h18/new python reports/scripts/dnii_stream_inserts_check.py --old /tmp/h18/old --n 100000 --rounds 3
# the step-by-step profile behind the change (50K, 10% deleted, medians in microseconds per single query; printed):
PYTHONPATH=/tmp/h18/new python reports/scripts/dnii_search_profile.py --old /tmp/h18/old --n 50000 --nprobe 16,32 --rounds 5
# its output at 17:23 UTC (code between 982a545's parts: selector gone, torch check still in; old/export unaffected) and at 17:34 UTC
# (982a545; load ~1.4 from another job): old search 371.2 / 435.7 us, new search 290.3 (intermediate) / 292.8, export 195.3 / 219.9,
# checks+_as_matrix 11.2 / 11.2, knn+lids 11.3 / 11.1, knn+scan with selector 265.6 / 324.5, without 227.3 / 285.5, merge step
# 26.5 / 21.9, search() wrapper 79.0 / 89.3 (nprobe 16). Same day, 17:24, load ~0.3: old 349.5, new 236.5, export 178.5 (nprobe 16, 3 rounds).

# ---------------------------------------------------------------------------------------------------------------------
# reports/results/dnii_host_s18.csv (issue 18, session 18): 1M vectors, d 256, on the CPU of the one-H200 device host (16 cores,
# 16 threads; the GPU idle), code 6086157 (commit.txt in each folder); raw CSVs and logs in dnii_host_2026-11-28/{a,b}/.
# DNII first, then faiss HNSW32 efC 40 and 200 (INDEXES order); static, then streaming (10 batches, 10% deleted; HNSW streams
# with efC 40 only, deletes as a search filter). Each dataset its own process, one after the other. Staging: .gpu/faiss (the
# faiss-cpu 1.15.1 wheel), carried. Run A 19:43-19:47 UTC (hard set, nprobe 16-256), run B 19:47-19:53 UTC (hard and synthetic,
# nprobe 2-32), each `start` and its `collect` in one device call:
N=1000000 BUDGET=600 DATASETS=hard INDEXES=dnii,hnsw NPROBE=16,32,64,128,256 R=/root/dnii bash reports/scripts/dnii_host_gpu.sh start
R=/root/dnii bash reports/scripts/dnii_host_gpu.sh collect 540
N=1000000 BUDGET=220 DATASETS='hard synthetic' INDEXES=dnii,hnsw NPROBE=2,4,8,16,32 R=/root/dnii2 bash reports/scripts/dnii_host_gpu.sh start
R=/root/dnii2 bash reports/scripts/dnii_host_gpu.sh collect 500
# joined with a run column (A / B):
python -c "import pandas as pd; p='reports/results/dnii_host_2026-11-28/'; pd.concat([pd.read_csv(p+'a/dnii_hard.csv').assign(run='A'), pd.read_csv(p+'b/dnii_hard.csv').assign(run='B'), pd.read_csv(p+'b/dnii_synthetic.csv').assign(run='B')]).to_csv('reports/results/dnii_host_s18.csv', index=False)"

# ---------------------------------------------------------------------------------------------------------------------
# reports/results/dnii_lidof_s18_cpu.csv (issue 18, session 18): the probed lists' numbers looked up one by one (`_lid_of`) against
# the whole-list conversion it replaces (~100 us per query at ~2,300-2,900 lists), interleaved round by round on the same 1M index
# (hard and drifting sets, d 256, 10 batches), 5 rounds x 200 single queries, 2 threads, the shared 2-core machine (load ~0.3-0.6;
# a helper's CPU tests may have run at the same time), 2026-11-28 ~20:02 UTC, 51 s:
python reports/scripts/dnii_lidof_check.py --out reports/results/dnii_lidof_s18_cpu.csv
# The per-query split quoted in the DNII report's lookup section (1M drifting clusters, 2 threads, printed; 2026-11-28 ~19:58 UTC,
# code before _lid_of): nprobe 2 / 4 / 8: DNII.search 168.2 / 202.1 / 264.9 us, faiss IndexIVFFlat over the same lists 84.8 / 116.3 /
# 170.7, centroid knn 45.6 / 45.7 / 47.3, quantizer.search 49.9 / 50.2 / 51.8; with _lid_of (20:01): DNII.search 121.4 / 153.1 / 217.4,
# IVFFlat 82.7 / 114.9 / 168.8:
python reports/scripts/dnii_floor_profile.py 1000000 2

# ---------------------------------------------------------------------------------------------------------------------
# reports/results/dnii_pq_s21_cpu.csv (issue 18, session 21): DNII codes='flat' and codes='pq4fs' (4-bit PQ fast-scan lists + exact
# re-rank; nprobe x rerank sweep) beside faiss HNSW32 efC 200 (efSearch sweep) in one run, 100K real MiniLM vectors (session 20's
# minilm101k.npy, last 1,000 rows as queries), static (10K-row adds) and streaming (10 steps, 10% deletes); built with 2 threads,
# searched with 1 (single-query p50 over 300 queries); the shared 2-core dev machine, 2026-11-29 ~06:00 UTC:
icmos bench dnii --datasets real --real /work/runs/s20/minilm101k.npy --real-name minilm-pypi --n 100000 --queries 1000 \
  --latency-queries 300 --workloads static,streaming --indexes dnii,hnsw --codes flat,pq4fs --nprobe 8,16,24,32,48,64 \
  --rerank 3,5,10 --ef 16,24,32,48,64,128 --efc 200 --batch 10000 --steps 10 --threads 2 --search-threads 1 \
  --out reports/results/dnii_pq_s21_cpu.csv --clusters-out /tmp/dn/clusters.csv

# ---------------------------------------------------------------------------------------------------------------------
# reports/results/dnii_pq_insert_s22_cpu.csv (issue 18, session 22): streamed inserts / deletes of DNII codes='flat' and 'pq4fs' with
# three trees in one run, each (tree, codes) in its own process, the trees' order swapped rep by rep, 3 reps: session 21's code
# (git archive 3967921), this session's code with numpy's BLAS threads left as before (`_BLAS = [None]`: `_blas` finds nothing) and
# this session's code (git archive fbe6e95); 100K real MiniLM vectors (session 20's minilm101k.npy, last 1,000 rows as queries),
# 10 steps of 10K inserts, 1K deletes and 100 queries, list_size 512, built with 2 threads; recall@10 at nprobe 8-64 (pq4fs: rerank
# 10 and 1) and a digest of every search's ids and scores. The shared 2-core dev machine at 1-minute load ~5-10 (another job's
# work and this session's), load_before/after per row, 2026-11-29 ~10:10 UTC:
git -C /work/main archive 3967921 icmos | tar -x -C /tmp/pq/old
git archive fbe6e95 icmos | tar -x -C /tmp/pq/final/after; git archive fbe6e95 icmos | tar -x -C /tmp/pq/final/noblas
sed -i 's/^_BLAS = \[\]  #/_BLAS = [None]  #/' /tmp/pq/final/noblas/icmos/dnii.py
python reports/scripts/dnii_pq_insert_check.py --tree "session 21=/tmp/pq/old" --tree "session 22, BLAS threads as before=/tmp/pq/final/noblas" \
  --tree "session 22=/tmp/pq/final/after" --real /work/runs/s20/minilm101k.npy --reps 3 --out reports/results/dnii_pq_insert_s22_cpu.csv
# The profile quoted in 30_dnii ("Keeping the codes in step", session 22), session 21's code, printed (cProfile; load ~2.7-3.4):
python reports/scripts/dnii_pq_insert_profile.py --real /work/runs/s20/minilm101k.npy --codes pq4fs   # and --codes flat
