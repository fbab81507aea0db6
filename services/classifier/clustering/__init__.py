"""Story clustering: one alert per real-world event; later reports fold into its cluster.

``cluster.Clusterer`` drives it: ``features`` of the report (words, facts, ``anchors`` from
the ``gazetteer``), candidate clusters from a store (``redis_store`` in production,
``memory_store`` for tests, evaluation and benchmarks, both bounded as in ``model``),
``matching`` picks the cluster to join by ``similarity`` and anchors, and the store commits.
``evaluation`` scores it on a labelled set (``newsalert eval-clusters``).
"""
