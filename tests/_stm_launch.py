"Entry script for `accelerate launch`: runs the icmos CLI in each process (used by test_stm.py)."
import sys
from icmos.cli import main

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
