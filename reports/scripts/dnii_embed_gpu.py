# On the GPU: MiniLM mean-pooled, L2-normalised embeddings of the carried KJV chunks -> (n, 384) float16 .npy
import sys, time, numpy as np, torch
from transformers import AutoModel
src, out = sys.argv[1], sys.argv[2]
m = AutoModel.from_pretrained(src, dtype=torch.float16).cuda().eval(); z = np.load(f'{src}/kjv_tokens.npz')
ids, mask = torch.from_numpy(z['ids'].astype(np.int64)), torch.from_numpy(z['mask'].astype(np.int64)); E = []; t = time.time()
with torch.inference_mode():
    for s in range(0, len(ids), 4096):
        i, k = ids[s:s + 4096].cuda(), mask[s:s + 4096].cuda(); h = m(input_ids=i, attention_mask=k).last_hidden_state.float()
        e = (h * k[..., None]).sum(1) / k.sum(1, keepdim=True); E.append(torch.nn.functional.normalize(e, dim=-1).half().cpu())
E = torch.cat(E).numpy(); np.save(out, E); print('embedded', E.shape, f'{time.time() - t:.1f} s', flush=True)
