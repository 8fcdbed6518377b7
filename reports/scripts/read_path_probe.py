"""Probe (issue 12): where the read path loses a fact that its rankers found. One memory per sample (written once), then
several read-path settings on it, retrieval and assembly only by default (no decoding, unless --decode): for each
setting, the rank of the fact's block in MiniLM's own ranking, in the fused pool, after the LM re-rank, and whether
the fact is among the sentences handed to the model (read recall, as `icmos bench runtime` counts it).

  python reports/scripts/read_path_probe.py --task paraphrase --length 32K --n 10 \
      --variants 'default;chains=1;hops=1;keep_dense=1' --out reports/results/read_path_probe.csv
"""
import argparse, csv, math, sys, time
from dataclasses import replace

from icmos.bench_runtime import decode_config, fact_recall, parse_method
from icmos.core import ICMOSConfig, load_model
from icmos.eval import parse_lengths
from icmos.runtime import Dense, Memory, RuntimeConfig
from icmos.tasks import make_sample


def fact_rank(s, mem, blocks: list[int]) -> float:
    "1-based rank of the first block in `blocks` that holds the sample's (first) fact wholly; nan if none does."
    for i, b in enumerate(blocks):
        if fact_recall(s, [mem.blocks[b].text]) > 0: return i + 1
    return math.nan


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--task', default='paraphrase'); ap.add_argument('--length', default='32K')
    ap.add_argument('--n', type=int, default=10); ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--variants', default='default', help="';'-separated settings, each 'default' or k=v[,k=v] over RuntimeConfig")
    ap.add_argument('--budget', type=int, default=2048); ap.add_argument('--decode', action='store_true', help='also answer and score')
    ap.add_argument('--index', default='dnii'); ap.add_argument('--out', default='reports/results/read_path_probe.csv')
    ap.add_argument('--device', default=None); ap.add_argument('--dtype', default=None); ap.add_argument('--model', default=None)
    a = ap.parse_args(argv)
    cfg = ICMOSConfig.from_env(model=a.model, device=a.device, dtype=a.dtype)
    model, tok = load_model(cfg)
    variants = []
    for v in a.variants.split(';'):
        v = v.strip()
        over = {} if v in ('', 'default') else parse_method(f'icmos[{v}]')[1]
        variants.append((v or 'default', over))
    rows, f, w = [], open(a.out, 'w', newline=''), None
    for L in parse_lengths(a.length):
        for i in range(a.n):
            s = make_sample(a.task, tok, L, a.seed + i, depth=(i + 0.5) / a.n)
            t0 = time.perf_counter()
            mem = Memory(RuntimeConfig(index=a.index), model, tok, cfg); mem.write(s.context)
            write_s = time.perf_counter() - t0
            base = mem.cfg
            d = next(r for r in mem.rankers if isinstance(r, Dense))
            minilm = [b for b, _ in d.rank(s.question, 64)]
            for name, over in variants:
                mem.cfg = replace(base, **over)
                t1 = time.perf_counter()
                chosen, hops = mem.retrieve(s.question)
                retrieve_s = time.perf_counter() - t1
                first = hops[0]
                pool = [b for b, _ in first.fused]
                reranked = sorted(pool, key=lambda b: -first.scores[b]) if first.scores else pool
                c2 = decode_config(cfg, s)
                _, kept, _, spans = mem.assemble(s.question, chosen, a.budget, c2.max_new_tokens, hops=hops)
                row = dict(task=a.task, context_tokens=L, seed=a.seed + i, variant=name, n_blocks=len(mem.blocks),
                           minilm_rank=fact_rank(s, mem, minilm), fused_rank=fact_rank(s, mem, pool),
                           rerank_rank=fact_rank(s, mem, reranked), chosen_rank=fact_rank(s, mem, chosen),
                           read_recall=fact_recall(s, [s.context[x:y] for x, y in spans]), n_read=len(kept),
                           n_hops=len(hops), write_s=round(write_s, 2), retrieve_s=round(retrieve_s, 3))
                if a.decode:
                    ans = mem.ask(s.question, budget=a.budget, max_new_tokens=c2.max_new_tokens)
                    row.update(score=s.score(ans.text), answer=ans.text)
                rows.append(row); print(row, file=sys.stderr, flush=True)
                if w is None: w = csv.DictWriter(f, list(row)); w.writeheader()
                w.writerow(row); f.flush()
            mem.cfg = base
    f.close()
    for name, _ in variants:
        r = [x for x in rows if x['variant'] == name]
        print(name, {k: round(sum(x[k] for x in r) / len(r), 3) for k in ('read_recall',) + (('score',) if a.decode else ())},
              'minilm@4', sum(x['minilm_rank'] <= 4 for x in r), 'fused@16', sum(x['fused_rank'] <= 16 for x in r),
              'rerank@4', sum(x['rerank_rank'] <= 4 for x in r), 'of', len(r))
    return 0


if __name__ == '__main__':
    sys.exit(main())
