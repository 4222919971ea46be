"""The client's own address behind reverse proxies (CWFLOW_TRUSTED_PROXIES, default 0: served directly).

Behind nginx every request comes from the proxy's address, so the public rate limit would put every
applicant in one bucket. With N trusted proxies, the address and scheme are taken from the last N
entries of X-Forwarded-For / X-Forwarded-Proto, the ones those proxies appended; whatever a client
wrote to the left of them is ignored, and with 0 the headers are not read at all."""

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class TrustedProxies:
    """WSGI middleware reading the number of trusted proxies from the app's config on each request."""

    def __init__(self, app: Flask, inner: WsgiApp) -> None:
        self.app = app
        self.inner = inner
        self.fixes: dict[int, ProxyFix] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        hops = int(self.app.config.get("TRUSTED_PROXIES") or 0)
        if hops <= 0:
            return self.inner(environ, start_response)
        if hops not in self.fixes:
            self.fixes[hops] = ProxyFix(self.inner, x_for=hops, x_proto=hops)
        return self.fixes[hops](environ, start_response)


def trust_proxies(app: Flask) -> None:
    app.wsgi_app = TrustedProxies(app, app.wsgi_app)  # type: ignore[method-assign]
