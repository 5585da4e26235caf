"""`python -m kerasvg`: the same as the `kerasvg` command."""
import sys

from .cli import main

sys.exit(main())
