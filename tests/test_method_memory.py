"""A policy method answering prompt after prompt keeps nothing of the earlier prompts alive (issue 16): session 16's 32K bench ran out of
memory on an H200 after 14-18 prompts because each prompt's observer finalizer held that prompt's observer, policy and Trimmer scorer
with its CUDA eviction graphs; and the Trimmer method loads its scorer once per model, not per prompt."""
import gc, weakref
from unittest import mock
import torch
import icmos.trimmer as T
from icmos.core import ICMOSConfig, Method, get_method
from icmos.kv import random_prompt, tiny_llama
from test_kv_policies import random_scorer

def prompts(meth, m, k=4):
    """k prompts through `PolicyMethod.answer` (its own try / finally), the decode left out: weak references to each prompt's policy
    and observer, taken after its prefill."""
    refs, cfg = [], ICMOSConfig(device='cpu', chunk_size=16)
    def prefill_only(self, model, tok, prompt, cfg, progress=False):
        self.prepare(model, prompt, cfg); refs.append((weakref.ref(self._policy), weakref.ref(self._obs)))
    with mock.patch.object(Method, 'answer', prefill_only):
        for i in range(k): meth.answer(m, None, random_prompt(40, seed=i), cfg)
    gc.collect()
    return refs

def test_policy_method_frees_earlier_prompts():
    m = tiny_llama(); meth = get_method('tova', budget=16)
    refs = prompts(meth, m)
    assert all(o() is None for _, o in refs)  # every observer is gone (closed, no finalizer holds it)
    assert all(p() is None for p, _ in refs[:-1])  # the policies of earlier prompts too (the method keeps its last one)

def test_trimmer_method_loads_its_scorer_once_per_model():
    m = tiny_llama(); m2 = tiny_llama(); loads = []
    def load(model, ck=None): loads.append(model); return random_scorer(model)
    with mock.patch.object(T, 'load_scorer', load):
        meth = get_method('trimmer', budget=16)
        refs = prompts(meth, m, 3)
        assert loads == [m]  # one scorer for three prompts: its eviction graphs are reused, not captured anew per prompt
        prompts(meth, m2, 1)
        assert loads == [m, m2]  # another model: its own scorer
    assert all(p() is None for p, _ in refs)

def test_trimmer_method_reloads_for_a_new_model_at_a_freed_address():
    """The scorer cache is keyed on the model itself (a weak reference), not `id(model)`: a model freed and another built at its
    address (CPython reuses it) gets its own `load_scorer` (which checks, e.g., a LoRA checkpoint against the new model)."""
    loads = []
    def load(model, ck=None): loads.append(1); return random_scorer(model)
    with mock.patch.object(T, 'load_scorer', load):
        meth = get_method('trimmer', budget=16)
        for _ in range(6):
            m = tiny_llama(); prompts(meth, m, 1); del m; gc.collect()
    assert len(loads) == 6  # one load per model, however the addresses fall

def test_trimmer_method_reloads_when_the_default_checkpoint_moves(monkeypatch, tmp_path):
    "With checkpoint=None the scorer is the one `$ICMOS_TRIMMER` names when the prompt comes (the bench sets it per run): keyed on the resolved path."
    loads = []
    def load(model, ck=None): loads.append(str(T.default_checkpoint()) if ck is None else ck); return random_scorer(model)
    m = tiny_llama()
    with mock.patch.object(T, 'load_scorer', load):
        meth = get_method('trimmer', budget=16)
        monkeypatch.setenv('ICMOS_TRIMMER', str(tmp_path / 'a')); prompts(meth, m, 1)
        monkeypatch.setenv('ICMOS_TRIMMER', str(tmp_path / 'b')); prompts(meth, m, 1)
    assert loads == [str(tmp_path / 'a'), str(tmp_path / 'b')]
