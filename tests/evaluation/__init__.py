"""Tests of mlsprint.evaluation."""
