"""The staff console: server-rendered pages under /console over the gateway's staff desk."""

from kindred.gateway.console.router import console_router

__all__ = ["console_router"]
