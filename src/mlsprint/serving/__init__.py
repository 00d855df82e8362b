"""mlsprint.serving"""
