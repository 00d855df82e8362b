"""mlsprint.stores"""
