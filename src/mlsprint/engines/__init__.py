"""mlsprint.engines"""
