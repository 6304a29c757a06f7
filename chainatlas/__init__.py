"""chainatlas: the one import name of this distribution.

The code lives in the design card's folders at the top of the repository (``graph/``,
``matching/``, ``viz/``, ``api/``, ``seeds/``); ``chainatlas/`` links to each, so every module is
imported as ``chainatlas.graph…``, ``chainatlas.api…`` and an installed chainatlas never takes
the common top-level names ``graph``, ``api``, ``viz`` or ``matching`` from other distributions.
"""
