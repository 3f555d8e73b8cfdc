"""Job ingestion: sources, the polite fetcher, normalisation, de-duplication, runs and search."""
