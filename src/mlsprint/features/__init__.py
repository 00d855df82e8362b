"""mlsprint.features"""
