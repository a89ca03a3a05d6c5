"""The error a corpus that cannot be used raises: its message names the file (and line or byte offset)."""


class CorpusError(Exception):
    """A corpus file cannot be used; the message names the file (and line)."""
