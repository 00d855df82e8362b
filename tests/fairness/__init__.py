"""Tests of mlsprint.fairness."""
