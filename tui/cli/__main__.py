"""python -m tui.cli: the pilar command (also what the kit's scripts run)."""

import sys

from tui.cli import main

sys.exit(main())
