"""Issue 17: can MAG's memory be *addressed* for the needle, and does it *hold* it? Session 22 trained 846 steps with a tame gradient
and an open gate (`--mix add`) without the memory being used; the recall probe (`memory_probe`) showed the needle is written, if
worse than the average token. This probe separates the two ways a read can fail, per MAG layer, on needle samples:

- addressing: the query at the prompt's last token (where the answer starts; the real query, refine term included) against the
  keys of every written token: the rank of the best needle token (0 = the needle's key is the nearest of all written keys);
  `addressing_null` the same for the queries at 32 random positions after the needle that ask nothing (their median): if the
  needle's keys rank high for any query (hubs), a low `addressing` says nothing about the question;
- storage: the memory read with the needle token's *own* key (perfect addressing), against the values of every written token: the
  rank of the needle token's value by cosine to what comes back (values centred on their mean), the median over the needle's
  tokens; `storage_any` the same for 64 other written tokens drawn at random (is the needle held worse than the rest?) and
  `storage_last` for the last chunk written (no later write has overwritten it: if it is held and the rest not, writes forget).
  The ranks use the adapter's own key and value maps: values made less distinct by training rank worse at equal storage;
- end to end: the read with the real query, against the written values: the rank of the best needle token's value;
  `end_to_end_null` the same from the null queries. (The read is from the state after the last chunk's write, one chunk more
  than the query at the last token saw when the stream ran.)

Also the mean write gates over the stream (`eta` momentum, `theta` step size, `alpha` forgetting). A rank is a percentile of the
written tokens (0 = first, 0.5 = the middle, chance for one token). For the best of m needle tokens chance would be a mean of
1/(m+1) and a median of 1 - 0.5^(1/m) (0.125 and 0.094 for m = 7) if the tokens' scores were independent; consecutive digits are
not, so the null queries, not these numbers, are the chance level to compare against.

  python reports/scripts/mag_address_probe.py --lengths 2048,4096 --seeds 4 --out F.csv [--checkpoint A] [--theta-max T] [--mix add]
"""
from __future__ import annotations
import argparse, csv
from pathlib import Path

import torch
import torch.nn.functional as F

from icmos.core import ICMOSConfig, load_model
from icmos.mag import MAG, load_mag, probe_stream
from icmos.tasks import make_sample


def pct_rank(score: torch.Tensor, target: torch.Tensor, others: torch.Tensor) -> float:
    "Share of the `others` scores above the best `target` score (0: the target is the nearest)."
    return float((score[others] > score[target].max()).float().mean())


def probe(model, tok, mag, length: int, seed: int, depth: float, n_null: int = 32) -> list:
    st, p, nd = probe_stream(model, tok, mag, make_sample('niah_single', tok, length, seed, depth=depth), mag.cfg.window, queries=True)
    nd = torch.tensor(nd)
    with torch.no_grad():
        g = torch.Generator().manual_seed(seed)
        after = torch.arange(int(nd.max()) + 1, p.n_tokens - 1)    # null queries: positions after the needle, before the last token
        null_pos = after[torch.randperm(len(after), generator=g)[:n_null]]
        rows = []
        for l, (mem, xs, qs, state) in enumerate(zip(mag.memory, st.inputs, st.queries, st.states)):
            x, qa = torch.cat(xs, 1)[0], torch.cat(qs, 1)[0]          # (n, D) the normalised stream; (n, d) the read queries
            done = x.shape[0] // mem.chunk_size * mem.chunk_size      # tokens of complete chunks: written
            k, v = F.normalize(mem.to_k(x[:done]), dim=-1), mem.to_v(x[:done])
            others = torch.ones(done, dtype=torch.bool); nd_w = nd[nd < done]; others[nd_w] = False
            if len(nd_w) == 0: continue                               # the needle is in the unwritten tail
            mu = v.mean(0)                                            # values compared centred: their common direction tells no token apart
            vn = F.normalize(v - mu, dim=-1)
            addr_of = lambda q: pct_rank(k @ F.normalize(q, dim=-1), nd_w, others)
            e2e_of = lambda q: pct_rank(vn @ F.normalize(mem.read(state, q[None, None])[0, 0] - mu, dim=-1), nd_w, others)
            addr, e2e = addr_of(qa[-1]), e2e_of(qa[-1])               # the real query: the prompt's last token
            addr0 = float(torch.tensor([addr_of(qa[j]) for j in null_pos]).median())  # the same at positions that ask nothing
            e2e0 = float(torch.tensor([e2e_of(qa[j]) for j in null_pos]).median())
            def own(idx):  # the median rank of each token's own value among the others', read with its own key
                if len(idx) == 0: return float('nan')
                sims = F.normalize(mem.read(state, k[idx][None])[0] - mu, dim=-1) @ vn.T
                rest = lambda j: others & (torch.arange(done) != j)
                return float(torch.tensor([pct_rank(sims[i], idx[i:i + 1], rest(int(idx[i]))) for i in range(len(idx))]).median())
            store = own(nd_w)                                         # the needle's own keys: perfect addressing
            store_any = own(torch.nonzero(others)[:, 0][torch.randperm(int(others.sum()), generator=g)[:64]])  # 64 other written tokens
            last = torch.arange(done - mem.chunk_size, done); store_last = own(last[others[last]])  # the last chunk written: no later write over it
            eta, theta, alpha = (float(t.mean()) for t in mem.gates(x[None, :done]))  # the write's momentum, step size and forgetting
            rows.append(dict(layer=mag.cfg.layer_ids[l], context_tokens=p.n_tokens, seed=seed, written=done, needle_tokens=len(nd_w),
                             addressing=round(addr, 4), addressing_null=round(addr0, 4), storage=round(store, 4), storage_any=round(store_any, 4),
                             storage_last=round(store_last, 4), end_to_end=round(e2e, 4), end_to_end_null=round(e2e0, 4),
                             eta=round(eta, 4), theta=round(theta, 5), alpha=round(alpha, 5)))
    return rows


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--model', default=None); p.add_argument('--device', default='cpu'); p.add_argument('--dtype', default='float32')
    p.add_argument('--checkpoint', default=None, help='a MAG adapter folder (default: a fresh adapter, seed 0)')
    p.add_argument('--theta-max', type=float, default=None, help="a fresh adapter's inner learning-rate cap (default 0.1)")
    p.add_argument('--mix', default=None, help="a fresh adapter's output mix (gate or add)")
    p.add_argument('--window', type=int, default=512); p.add_argument('--lengths', default='2048,4096')
    p.add_argument('--seeds', type=int, default=4); p.add_argument('--depth', type=float, default=0.2)
    p.add_argument('--label', default=None, help='the adapter column (default: the checkpoint path or "fresh")')
    p.add_argument('--out', required=True)
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    model, tok = load_model(ICMOSConfig(**{k: v for k, v in dict(model=a.model, device=a.device, dtype=a.dtype).items() if v is not None}))
    kw = {k: v for k, v in dict(theta_max=a.theta_max, mix=a.mix).items() if v is not None}
    mag = load_mag(a.checkpoint, model) if a.checkpoint else MAG.for_model(model, window=a.window, chunk_size=64, **kw)
    mag.cfg.window = a.window; mag.eval()
    label = a.label or a.checkpoint or 'fresh'
    out = Path(a.out); out.parent.mkdir(parents=True, exist_ok=True); new = not out.exists()
    cols = ['adapter', 'layer', 'context_tokens', 'seed', 'written', 'needle_tokens', 'addressing', 'addressing_null', 'storage', 'storage_any',
            'storage_last', 'end_to_end', 'end_to_end_null', 'eta', 'theta', 'alpha']
    with out.open('a', newline='') as f:
        w = csv.DictWriter(f, cols)
        if new: w.writeheader()
        for L in [int(x) for x in a.lengths.split(',')]:
            for s in range(a.seeds):
                for r in probe(model, tok, mag, L, 950_000 + 1000 * L + s, a.depth): w.writerow({'adapter': label, **r})
                f.flush(); print(f'{label} {L} seed {s} done', flush=True)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
