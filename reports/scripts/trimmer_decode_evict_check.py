"""Does evicting at every decoding step (the runtime protocol) explain the presses failing niah_single at ratio 0.5?
Two bench prompts, each press once with and once without eviction during decoding. Output: reports/results/trimmer_decode_evict_check.txt"""
import torch, copy, sys
torch.set_num_threads(1)
from icmos.core import load_model, ICMOSConfig, encode_prompt, prefill, greedy_decode, stop_ids
from icmos.tasks import make_sample
from icmos.kv import Observer, PositionedCache, evict, POLICIES, default_policies
from icmos.presses import ratio_budget
default_policies()
m, tok = load_model(ICMOSConfig(device='cpu'))
for seed in (0, 1):
    s = make_sample('niah_single', tok, 1100, seed, depth=(seed + 0.5) / 5)
    ids = encode_prompt(tok, s.context, s.question).ids()
    with Observer(m) as ob:
        lg, cache = prefill(m, ids, cache=PositionedCache(m), chunk_size=ids.shape[1]); seen = dict(ob.seen)
        for name in ('expected_attention', 'h2o', 'snapkv'):
            for step_evict in (True, False):
                c = copy.deepcopy(cache); ob.seen = dict(seen)
                pol = POLICIES[name](budget=ratio_budget(ids.shape[1], 0.5)); evict(c, pol, ob)
                out = greedy_decode(m, c, lg, 32, stop_ids(tok), on_step=(lambda cc: evict(cc, pol, ob)) if step_evict else None)
                t = tok.decode(out, skip_special_tokens=True)
                print(seed, name, 'evict-each-step' if step_evict else 'no-decode-evict', s.score(t), repr(t[:90]), flush=True)
