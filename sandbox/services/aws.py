"""AWS through moto's server mode: the real AWS wire protocol on a local port."""

from __future__ import annotations

from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

from sandbox.services import aws_fidelity
from sandbox.services.aws_adapter import AwsAdapter


def make_app():
    """moto's WSGI application serving every AWS service it supports on one endpoint."""
    aws_fidelity.apply()
    return DomainDispatcherApplication(create_backend_app)


def make_adapter() -> AwsAdapter:
    return AwsAdapter()


def reset_path() -> str:
    """moto's control route that drops every emulated resource."""
    return "/moto-api/reset"


def request_handler() -> type:
    """moto's request handler keeps header spellings that werkzeug would otherwise fold."""
    return MotoRequestHandler
