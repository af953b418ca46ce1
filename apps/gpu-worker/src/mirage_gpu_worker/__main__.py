"""`python -m mirage_gpu_worker`."""

import sys

from mirage_gpu_worker.main import main

sys.exit(main())
