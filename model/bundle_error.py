"""BundleError, without torch: commands that load no model (`nmt prepare`) catch it too (nmt/cli.py's _run), and
importing bundle.py for it loaded torch (~470 MB) into their process."""
from __future__ import annotations


class BundleError(Exception):
    """A bundle that is missing, incomplete, altered or not ours."""
