"""Does the layout of a chain change what the model reads out of it? The runtime (order='rank') writes each sentence of a chain
as a paragraph of its own (`Memory._units_text` breaks between units that are not adjacent in the document); the oracle joins the
facts in one paragraph. This probe asks each sample's memory twice, with the same selection: as the runtime writes it
(`layout=paragraphs`) and with each chain's sentences joined by a space into one paragraph (`layout=chain`; chains still apart),
by patching `Memory._pieces_text` in this process only. Rows: one JSON line per (sample, layout).

    PYTHONPATH=. python reports/scripts/chain_layout_probe.py --device cpu --tasks prose_2hop,vardep --length 8K --n 20 --seed 100 --out F.jsonl
"""
import argparse, json, sys

from icmos.bench_runtime import decode_config, fact_recall
from icmos.cli import _config, _model_flags
from icmos.core import load_model, split_list
from icmos.eval import parse_lengths
from icmos.runtime import Memory, RuntimeConfig
from icmos.tasks import make_sample

_plain = Memory._pieces_text

def _chain_paragraphs(self, pieces, starts):
    "As `Memory._pieces_text`, but each reading group (a chain under order='rank') is one paragraph: its sentences joined by a space."
    if self.cfg.read == 'blocks' or self.cfg.order == 'doc': return _plain(self, pieces, starts)
    U, texts, spans = self.units, [], []
    for g in self._read_groups(pieces, starts):
        texts.append(' '.join(U.text[u] for u in g)); spans += [U.span[u] for u in g]
    return '\n\n'.join(texts), spans

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--tasks', default='prose_2hop,vardep'); p.add_argument('--length', default='8K')
    p.add_argument('--n', type=int, default=20); p.add_argument('--seed', type=int, default=100); p.add_argument('--budget', type=int, default=2048)
    p.add_argument('--out', required=True)
    _model_flags(p)
    args = p.parse_args()
    cfg = _config(args); model, tok = load_model(cfg)
    L = parse_lengths(args.length)[0]
    with open(args.out, 'a') as out:
        for t in split_list(args.tasks):
            for i in range(args.n):
                s = make_sample(t, tok, L, args.seed + i, depth=(i + 0.5) / args.n); c = decode_config(cfg, s)
                mem = Memory(RuntimeConfig(), model, tok, c); mem.write(s.context)
                got = {}
                for layout, fn in (('paragraphs', _plain), ('chain', _chain_paragraphs)):
                    Memory._pieces_text = fn
                    try: a = mem.ask(s.question, args.budget, c.max_new_tokens)
                    finally: Memory._pieces_text = _plain
                    tr = mem.last_trace
                    got[layout] = s.score(a.text)
                    out.write(json.dumps({'task': t, 'length': L, 'seed': args.seed + i, 'layout': layout, 'score': got[layout],
                                          'read_recall': fact_recall(s, [s.context[x:y] for x, y in tr.assembled]),
                                          'read': [[mem.units.text[u] for u in h.units] for h in tr.hops], 'answer': a.text,
                                          'expected': s.answer, 'device': str(cfg.device)}) + '\n'); out.flush()
                print(f"{t} seed {args.seed + i}: " + ' '.join(f'{k}={v}' for k, v in got.items()), file=sys.stderr, flush=True)

if __name__ == '__main__': main()
