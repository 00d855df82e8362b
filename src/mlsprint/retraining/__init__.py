"""mlsprint.retraining"""
