"""`python -m edgeflow_trainer ...` runs the CLI."""

import sys

from edgeflow_trainer.cli import main

sys.exit(main())
