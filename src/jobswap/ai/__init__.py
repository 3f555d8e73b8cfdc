"""Optional AI providers: an OpenAI-compatible client with pacing, retries, a breaker and
usage accounting. Nothing here runs unless a setting asks for it."""
