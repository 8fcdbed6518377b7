"""Model loading: GGUF -> safetensors cache -> same logits; bad model settings fail with one clear line."""
import json, shutil
from pathlib import Path
import pytest, torch
from transformers import AutoModelForCausalLM, BertConfig, LlamaConfig, T5Config, LlamaForCausalLM
from icmos import core
from icmos.core import ICMOSConfig, ICMOSError, embedded_gguf, load_model, encode_prompt, ask

def _logits(model, tok):
    ids = encode_prompt(tok, 'The capital of France is Paris.', 'What is the capital of France?').ids()
    with torch.no_grad(): return model(ids).logits

def test_gguf_cache_roundtrip(tmp_path, monkeypatch, smol):
    "First load converts the GGUF into a safetensors cache; the cache gives the same logits as the GGUF itself; a corrupt cache is rebuilt."
    gguf = embedded_gguf()
    direct = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32).eval()
    cfg = ICMOSConfig(device='cpu', cache_dir=str(tmp_path))
    monkeypatch.setattr(core, '_LOADED', {})
    model, tok = load_model(cfg)
    folder = core._gguf_cache_folder(gguf, str(tmp_path))
    assert (folder / 'model.safetensors').is_file() and (folder / 'tokenizer.json').is_file()
    ref = _logits(direct, tok)
    torch.testing.assert_close(_logits(model, tok), ref, rtol=0, atol=0)  # bit-identical weights
    # a later load reads the cache (no conversion message) and agrees too
    monkeypatch.setattr(core, '_LOADED', {})
    again, _ = load_model(cfg)
    torch.testing.assert_close(_logits(again, tok), ref, rtol=0, atol=0)
    # a truncated cache file is detected and rebuilt, not silently used
    st = folder / 'model.safetensors'
    st.write_bytes(st.read_bytes()[:1000])
    monkeypatch.setattr(core, '_LOADED', {})
    with pytest.warns(UserWarning, match='rebuilding'):
        rebuilt, _ = load_model(cfg)
    torch.testing.assert_close(_logits(rebuilt, tok), ref, rtol=0, atol=0)

def test_not_a_gguf(tmp_path):
    bad = tmp_path / 'bad.gguf'; bad.write_bytes(b'this is not a model at all')
    with pytest.raises(ICMOSError, match='is not a GGUF file'):
        load_model(ICMOSConfig(model=str(bad), device='cpu', cache_dir=str(tmp_path / 'c')))

def test_truncated_gguf(tmp_path):
    bad = tmp_path / 'cut.gguf'; bad.write_bytes(embedded_gguf().read_bytes()[:4096])
    with pytest.raises(ICMOSError, match='cannot read the GGUF file'):
        load_model(ICMOSConfig(model=str(bad), device='cpu', cache_dir=str(tmp_path / 'c')))
    assert not any((tmp_path / 'c').glob('*/model.safetensors'))  # nothing half-written left behind

def test_non_causal_model(tmp_path):
    "An encoder (BERT saved for masked LM, as real checkpoints are) and an encoder-decoder (T5) are refused before any weights load."
    BertConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64,
               architectures=['BertForMaskedLM']).save_pretrained(tmp_path / 'bert')
    T5Config(d_model=32, num_layers=1, num_heads=2, d_ff=64).save_pretrained(tmp_path / 't5')
    with pytest.raises(ICMOSError, match="'bert' model .*not a causal LM"):
        load_model(ICMOSConfig(model=str(tmp_path / 'bert'), device='cpu'))
    with pytest.raises(ICMOSError, match="'t5' model .*not a causal LM"):
        load_model(ICMOSConfig(model=str(tmp_path / 't5'), device='cpu'))

def test_folder_without_config(tmp_path):
    with pytest.raises(ICMOSError, match='no config.json'):
        load_model(ICMOSConfig(model=str(tmp_path), device='cpu'))

def test_unknown_hub_name_offline():
    with pytest.raises(ICMOSError, match='cannot read a model config'):
        load_model(ICMOSConfig(model='no-such-org/no-such-model-xyz', device='cpu'))

def test_any_hf_causal_lm_folder(tmp_path, smol):
    "A non-embedded model by path: a tiny random Llama saved with save_pretrained runs end to end (its answer is noise)."
    _, tok = smol
    torch.manual_seed(0)
    conf = LlamaConfig(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                       num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256)
    LlamaForCausalLM(conf).save_pretrained(tmp_path); tok.save_pretrained(tmp_path)
    ans = ask('Some text.', 'What?', cfg=ICMOSConfig(model=str(tmp_path), device='cpu', max_new_tokens=5))
    assert ans.method == 'full' and ans.new_tokens <= 5 and ans.context_tokens > 0
    # its window (256 positions) is enforced
    with pytest.raises(ICMOSError, match="exceeds the model's window of 256"):
        ask('word ' * 400, 'What?', cfg=ICMOSConfig(model=str(tmp_path), device='cpu', max_new_tokens=5))

def test_corrupt_user_checkpoint(tmp_path, smol):
    "A user's model folder with a broken weights file: one clear error, no torch traceback."
    _, tok = smol
    conf = LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                       num_attention_heads=2, num_key_value_heads=1)
    LlamaForCausalLM(conf).save_pretrained(tmp_path); tok.save_pretrained(tmp_path)
    (tmp_path / 'model.safetensors').write_bytes(b'\x00' * 100)
    with pytest.raises(ICMOSError, match='cannot load'):
        load_model(ICMOSConfig(model=str(tmp_path), device='cpu'))
