"""Text matching for Samskab: Danish-aware TF-IDF search, filters and breadth re-ranking (no web code)."""
from matching.index import Match, TextIndex

__all__ = ["Match", "TextIndex"]
