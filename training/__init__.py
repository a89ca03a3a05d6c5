"""Offline jobs: corpus building, training, evaluation."""
