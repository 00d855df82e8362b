"""Tests of mlsprint.cards."""
