import argparse, sys
from icmos.dnii import bench_args, bench_main
p = argparse.ArgumentParser(); bench_args(p); sys.exit(bench_main(p.parse_args(sys.argv[1:])))
