"""mlsprint.training"""
