"""``python -m resdep``."""

import sys

from resdep.cli import main

sys.exit(main())
