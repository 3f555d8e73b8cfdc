"""Swap matching: commutes, equivalent roles, and the engine that finds job swaps."""
