export PYTHONPATH=/tmp/site:/root/dnii OMP_NUM_THREADS=12 PYTHONUNBUFFERED=1
cd /root/dnii; sleep 240; nproc; date -u
for ds in synthetic; do
  echo "=== $(date -u +%T) $ds"
  timeout 1200 python3 -c 'import sys; from icmos.cli import main; sys.exit(main())' bench dnii --n 1000000 --d 256 --datasets $ds \
    --workloads static,streaming --indexes dnii,hnsw --efc 200 --queries 1000 --latency-queries 200 --ef 16,32,64,128,256 \
    --ivf-nprobe 8,16,32,64,128 --nprobe 2,4,8 --threads 12 --search-threads 2,4,12 --list-size 256 --budget-s 900 --clusters-out= \
    --out /root/dnii/dnii_$ds.csv
  echo "=== $(date -u +%T) $ds exit $?"
done
date -u > /root/dnii/DONE
