"""Rendering: the fishbone, maps and libraries as HTML, SVG, JSON and Excel; reports of matching's
results. Reads the graph and matching's results, never the HTTP layer."""
