"""mlsprint.tracking"""
