"""Security headers on every response; nothing with personal data cached; HTTPS pinned when used."""

from flask import Flask, Response, request

HSTS = "max-age=31536000; includeSubDomains"
ALWAYS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy",
     "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; "
     "base-uri 'self'; form-action 'self'; object-src 'none'"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


def _cache_control(path: str) -> str | None:
    if path.startswith("/api/"):
        return "no-store"
    if path.startswith("/static/"):
        return None
    return "no-store, private"  # pages show cases and personnel records: never kept by a browser or a proxy


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def add_headers(response: Response) -> Response:
        """Adds each header the view did not set itself; one pass over the response's headers,
        since this runs on every API call (a lookup per header cost more than the rest)."""
        headers = response.headers
        present = {name.lower() for name in headers.keys()}
        wanted = list(ALWAYS)
        cache_control = _cache_control(request.path)
        if cache_control:
            wanted.append(("Cache-Control", cache_control))
        if request.is_secure:
            wanted.append(("Strict-Transport-Security", HSTS))
        for name, value in wanted:
            if name.lower() not in present:
                headers.add(name, value)
        return response
