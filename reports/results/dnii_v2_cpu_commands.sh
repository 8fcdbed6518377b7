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
