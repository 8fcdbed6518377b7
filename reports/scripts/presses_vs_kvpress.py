"""Do icmos.presses keep the same tokens as kvpress's presses?

Run from the repository root with the project venv (it calls the kvpress venv for the other side):

    python reports/scripts/presses_vs_kvpress.py --kvpython /tmp/kvenv/bin/python

The kvpress venv: python3 -m venv /tmp/kvenv && /tmp/kvenv/bin/pip install torch==2.13.0 kvpress==0.5.5 transformers==5.2.0 tokenizers==0.22.2
(kvpress pins transformers < 5.3, so it cannot share the project venv).

Both sides prefill the *same* token ids (a niah_single prompt of the embedded SmolLM2, built by icmos.tasks) in one
forward pass, float32, CPU, and compress the whole prompt once at each compression ratio. kvpress runs with eager
attention (ObservedAttentionPress needs the weights; the other presses then use them as given); icmos runs its
SDPA model and recomputes attention from the queries observed on q_proj. kvpress's kept indices are recovered by
matching its compressed keys to the uncompressed keys (exact float equality up to 1e-6). Output: one row per
(press, ratio, layer, KV head) with the overlap |ours & theirs| / k in reports/results/presses_vs_kvpress.csv.
"""
import argparse, json, os, subprocess, sys, tempfile
from pathlib import Path

PAIRS = {  # icmos policy name -> kvpress class name
    'streaming': 'StreamingLLMPress', 'knorm': 'KnormPress', 'snapkv': 'SnapKVPress', 'tova': 'TOVAPress',
    'h2o': 'ObservedAttentionPress', 'expected_attention': 'ExpectedAttentionPress',
}
RATIOS = (0.5, 0.75, 0.875)


def kvpress_side(model_dir, ids_file, out_file):
    "Runs in the kvpress venv: kept indices per press, ratio, layer, head."
    import torch, kvpress
    from transformers import AutoModelForCausalLM, DynamicCache
    from transformers.utils import logging
    logging.set_verbosity_error(); logging.disable_progress_bar()
    torch.set_num_threads(1)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32, attn_implementation='eager').eval()
    ids = torch.tensor(json.loads(Path(ids_file).read_text()))
    with torch.no_grad():
        full = DynamicCache(); model(ids, past_key_values=full)
        out = {'kvpress': kvpress.__version__ if hasattr(kvpress, '__version__') else '0.5.5', 'kept': {}}
        for name, cls in PAIRS.items():
            for r in RATIOS:
                c = DynamicCache()
                with getattr(kvpress, cls)(compression_ratio=r)(model):
                    model(ids, past_key_values=c)
                kept = []
                for lf, lc in zip(full.layers, c.layers):
                    kf, kc = lf.keys[0], lc.keys[0]  # (h, n, d), (h, k, d)
                    d = torch.cdist(kc, kf, compute_mode='donot_use_mm_for_euclid_dist')  # (h, k, n), exact
                    best = d.min(-1)
                    assert float(best.values.max()) < 1e-4, 'a compressed key matches no original key'
                    kept.append([sorted(x) for x in best.indices.tolist()])
                out['kept'][f'{name}@{r}'] = kept
    Path(out_file).write_text(json.dumps(out))


def icmos_side(ids):
    import torch
    from icmos.core import load_model, ICMOSConfig, prefill
    from icmos.kv import Observer, PositionedCache, evict, POLICIES, default_policies
    from icmos.presses import ratio_budget
    import copy
    default_policies()
    model, tok = load_model(ICMOSConfig(device='cpu'))
    x = torch.tensor(ids)
    out = {}
    with Observer(model) as ob:
        _, cache = prefill(model, x, cache=PositionedCache(model), chunk_size=x.shape[1])
        seen = dict(ob.seen)
        for name in PAIRS:
            for r in RATIOS:
                c = copy.deepcopy(cache); ob.seen = dict(seen)
                evict(c, POLICIES[name](budget=ratio_budget(x.shape[1], r)), ob)
                out[f'{name}@{r}'] = [[sorted(h) for h in l.pos[0].tolist()] for l in c.layers]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--kvpython', default='/tmp/kvenv/bin/python', help='python of the kvpress venv')
    ap.add_argument('--tokens', type=int, default=1100, help='prompt length (niah_single sample, seed 0)')
    ap.add_argument('--out', default='reports/results/presses_vs_kvpress.csv')
    ap.add_argument('--side', default='icmos', choices=['icmos', 'kvpress'], help=argparse.SUPPRESS)
    ap.add_argument('--model-dir'); ap.add_argument('--ids'); ap.add_argument('--result')
    a = ap.parse_args()
    if a.side == 'kvpress': return kvpress_side(a.model_dir, a.ids, a.result)
    import torch, pandas as pd
    torch.set_num_threads(1)
    from icmos.core import load_model, ICMOSConfig, encode_prompt, _resolve
    from icmos.tasks import make_sample
    cfg = ICMOSConfig(device='cpu')
    model, tok = load_model(cfg)
    s = make_sample('niah_single', tok, a.tokens, 0, depth=0.5)
    ids = encode_prompt(tok, s.context, s.question).ids().tolist()
    model_dir = str(_resolve(cfg.model, cfg.cache_dir)[0])
    with tempfile.TemporaryDirectory() as td:
        Path(td, 'ids.json').write_text(json.dumps(ids))
        env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
        subprocess.run([a.kvpython, __file__, '--side', 'kvpress', '--model-dir', model_dir, '--ids', str(Path(td, 'ids.json')),
                        '--result', str(Path(td, 'kv.json'))], check=True, env=env)
        theirs = json.loads(Path(td, 'kv.json').read_text())
    ours = icmos_side(ids)
    n = len(ids[0])
    rows = []
    for key, layers in ours.items():
        name, r = key.split('@')
        for li, (lo, lt) in enumerate(zip(layers, theirs['kept'][key])):
            for h, (o, t) in enumerate(zip(lo, lt)):
                rows.append(dict(policy=name, kvpress_press=PAIRS[name], compression_ratio=float(r), layer=li, head=h, n_tokens=n,
                                 kept=len(o), kvpress_kept=len(t), overlap=round(len(set(o) & set(t)) / max(len(t), 1), 4)))
    df = pd.DataFrame(rows)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(a.out, index=False)
    summ = df.groupby(['policy', 'compression_ratio']).overlap.agg(['mean', 'min']).round(4)
    print(summ.to_string())
    print(f'wrote {len(df)} rows to {a.out} (kvpress {theirs["kvpress"]})', file=sys.stderr)


if __name__ == '__main__':
    main()
