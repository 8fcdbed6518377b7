import os, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the venv's bin: icmos, nbdev_*, jupyter

@pytest.fixture(scope='session')
def smol():
    "The embedded model and tokenizer on the CPU (converted once into ICMOS_CACHE)."
    from icmos.core import ICMOSConfig, load_model
    return load_model(ICMOSConfig(device='cpu'))
