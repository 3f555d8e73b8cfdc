"""JobSwap: job swaps that shorten everyone's commute, and ranked jobs for a resume."""

__version__ = "0.1.0"
