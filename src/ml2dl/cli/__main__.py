"""``python -m ml2dl.cli``: the same as the ``ml2dl`` command."""

import sys

from . import main

sys.exit(main())
