"""mlsprint.workflows"""
