"""``python -m bayesnma``: the ``bayesnma`` command."""

import sys

from bayesnma.cli import main

sys.exit(main())
