"""mlsprint.monitoring"""
