"""mlsprint.cards"""
