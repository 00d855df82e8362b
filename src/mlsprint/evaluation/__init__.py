"""mlsprint.evaluation"""
