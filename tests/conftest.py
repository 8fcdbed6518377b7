import os, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the venv's bin: icmos, nbdev_*, jupyter
# the eval harness raises a method's crash instead of recording it (icmos.eval.run_sample): a bug fails the tests,
# in this process and in the `icmos` subprocesses the tests start (they inherit the environment)
os.environ['ICMOS_STRICT'] = '1'

@pytest.fixture(scope='session')
def smol():
    "The embedded model and tokenizer on the CPU (converted once into ICMOS_CACHE)."
    from icmos.core import ICMOSConfig, load_model
    return load_model(ICMOSConfig(device='cpu'))
