"""The web app: server-rendered pages on the same services as the API."""
