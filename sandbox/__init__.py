"""Local emulated clouds for kubeguard.netsec: AWS (moto), and later Kubernetes and Alibaba CLB.

Everything listens on 127.0.0.1. One background process hosts every emulated service behind a
call-accounting and fault-injection middleware, plus a small admin API that the CLI talks to.
This package is test infrastructure: it is excluded from the built collection.
"""
