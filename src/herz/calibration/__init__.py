"""Calibration as inference: model parameters fitted to the historical record (issue #12)."""
