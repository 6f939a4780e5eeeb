"""A Kubernetes API server emulator, built to the API conventions so real clients work unmodified.

Layers, bottom up:
- ``registry``: the resource types (built-in and CRD-defined) and what discovery says about them;
- ``store``: objects, the cluster-wide resourceVersion counter, the event log for watches;
- ``api``: the verbs (get, list, create, update, patch, delete, deletecollection, watch) with
  admission, defaulting, validation, metadata bookkeeping, subresources and garbage collection;
- ``app``: HTTP routing, request parsing and ``Status`` error rendering (WSGI);
- ``controllers``: simulated workload and Terway controllers that react to changes.
"""
