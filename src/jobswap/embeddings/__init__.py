"""Sentence embeddings (all-MiniLM-L6-v2, 384 dimensions), computed locally."""
