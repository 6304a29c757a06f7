"""One router per resource of the HTTP API, included by :mod:`chainatlas.api.main`."""
