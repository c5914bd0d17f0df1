"""``python -m branchtool`` is the ``branchtool`` command."""

import sys

from branchtool.cli import main

sys.exit(main())
