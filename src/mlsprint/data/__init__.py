"""mlsprint.data"""
