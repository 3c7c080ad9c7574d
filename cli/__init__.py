"""The ``ofai-graph`` command line: a thin layer over the library (installed as ``ofai_graph_cli``)."""
