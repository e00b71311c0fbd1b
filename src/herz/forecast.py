"""Forecasting history out of sample with a calibrated model (issue #12)."""
