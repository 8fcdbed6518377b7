export PYTHONPATH=/tmp/site:/root/dnii2 OMP_NUM_THREADS=16 PYTHONUNBUFFERED=1
cd /root/dnii2; sleep 0; nproc; date -u
for ds in synthetic; do
  echo "=== $(date -u +%T) $ds"
  timeout 700 python3 -c 'import sys; from icmos.cli import main; sys.exit(main())' bench dnii --n 1000000 --d 256 --datasets $ds \
    --workloads static --indexes dnii,hnsw --efc 200 --queries 1000 --latency-queries 200 --ef 16,32,64,128,256 \
    --ivf-nprobe 8,16,32,64,128 --nprobe 2,4,8 --threads 16 --search-threads 1,2,16 --list-size 256 --budget-s 400 --clusters-out= \
    --out /root/dnii2/dnii_$ds.csv
  echo "=== $(date -u +%T) $ds exit $?"
done
date -u > /root/dnii2/DONE
