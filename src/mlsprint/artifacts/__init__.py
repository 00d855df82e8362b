"""mlsprint.artifacts"""
