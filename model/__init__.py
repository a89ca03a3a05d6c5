"""The network and everything needed to translate with it."""
