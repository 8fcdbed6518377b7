"""DNII v1 (a git revision's icmos/dnii.py) vs this tree's DNII and faiss, same data, same process, one CSV (issue 18).

python reports/scripts/dnii_v2_bench.py --v1 d280adf --out reports/results/dnii_v2_cpu.csv [icmos bench dnii flags...]
Runs `icmos bench dnii` (this tree's `bench_main`) with the given flags, then v1's `bench_main` with the same flags and
`--indexes dnii`, its rows relabelled `dnii-v1`. The hard set is written once to a .npy and passed to both as `--real`
(v1 has no `hard` dataset), so both read the very same rows."""
import argparse, subprocess, sys, tempfile, types
from pathlib import Path
import numpy as np, pandas as pd
from icmos import dnii as v2

def load_v1(rev: str) -> types.ModuleType:
    src = subprocess.check_output(['git', 'show', f'{rev}:icmos/dnii.py'], text=True)
    m = types.ModuleType('icmos._dnii_v1'); m.__package__ = 'icmos'; sys.modules[m.__name__] = m
    exec(compile(src, f'{rev}:icmos/dnii.py', 'exec'), m.__dict__); return m

def main(argv):
    pre = argparse.ArgumentParser(add_help=False); pre.add_argument('--v1', default='d280adf'); pre.add_argument('--hard', action='store_true')
    own, rest = pre.parse_known_args(argv)
    p = argparse.ArgumentParser(); v2.bench_args(p); a = p.parse_args(rest); out = Path(a.out)
    with tempfile.TemporaryDirectory() as tmp:
        if own.hard:  # the hard set as a --real file: rows, then the held-out queries
            n, d = int(a.n), int(a.d); X, Q = v2.hard_clusters(n, d, a.queries, seed=n + d)
            np.save(f'{tmp}/hard.npy', np.concatenate([X, Q])); rest += ['--datasets', 'real', '--real', f'{tmp}/hard.npy', '--real-name', 'hard-2048c']
        v2.bench_main(p.parse_args(rest))
        v1 = load_v1(own.v1); p1 = argparse.ArgumentParser(); v1.bench_args(p1)
        known = {x.dest for x in p1._actions}                      # v1 lacks the newer flags (--efc): drop them
        r1, i = [], 0
        while i < len(rest):
            flag = rest[i].split('=')[0]; takes = not rest[i].startswith('--') or '=' in rest[i] or flag == '--append'
            if flag.startswith('--') and flag[2:].replace('-', '_') not in known: i += 1 if takes else 2; continue
            r1.append(rest[i]); i += 1
        a1 = p1.parse_args(r1 + ['--indexes', 'dnii', '--out', f'{tmp}/v1.csv', '--clusters-out', ''])
        v1.bench_main(a1)
        r1 = pd.read_csv(f'{tmp}/v1.csv'); r1['index'] = 'dnii-v1'
        r1.to_csv(out, mode='a', header=False, index=False)
    return 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
