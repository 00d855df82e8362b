"""mlsprint.fairness"""
