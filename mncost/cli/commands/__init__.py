"""One module per CLI command; ``mncost.cli`` imports each only when it is invoked."""
