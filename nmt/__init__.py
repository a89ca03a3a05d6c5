"""nmt: train, measure and serve biLSTM-GRU translation models.

The subpackages live at the repository's top level and are installed under this name (pyproject.toml):
nmt.model (model/), nmt.training (training/), nmt.app (app/), nmt.models (models/, the shipped bundles) and
nmt.scripts (scripts/, the reliability drills and the helpers tests and benchmarks share).
"""
