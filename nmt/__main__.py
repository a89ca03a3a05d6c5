"""`python -m nmt`: the `nmt` command where its script is not on PATH (e.g. installed with pip --target)."""
import sys

from nmt.cli import main

sys.exit(main())
