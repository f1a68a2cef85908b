"""The web layer shared by every domain: templating, CSRF, request dependencies, static files."""
