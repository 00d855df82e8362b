"""mlsprint.experiments"""
