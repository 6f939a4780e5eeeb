"""Service-agnostic middleware: count every call (per service, action, read/write) and inject faults.

A service plugs in by providing a :class:`~sandbox.proxy.adapter.ServiceAdapter` that knows how to
name a request (service, action, read or write) and how to render a fault in that service's own
wire format.
"""
