"""The service: the HTTP API (FastAPI, problem+json errors), the officers' web UI and the
``chainatlas`` command line, with tokens, roles and the audit log."""
