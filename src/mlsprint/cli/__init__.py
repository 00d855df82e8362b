"""mlsprint.cli"""
