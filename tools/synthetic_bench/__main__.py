import sys

from synthetic_bench.cli import main

sys.exit(main())
