"""The WSGI application that uWSGI (deploy/uwsgi.ini) and runserver serve.

One guard sits in front of Django: a request body framed by
`Transfer-Encoding` (chunked) is refused with 411 before anything reads it,
and under uWSGI the connection is closed, so the bytes of that body can never
be taken for a second request on the same connection.
"""

import json
import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadsys.settings")

LENGTH_REQUIRED = json.dumps(
    {
        "error": {
            "code": "length_required",
            "message": "Send the request body with a Content-Length header; chunked bodies are not accepted.",
        }
    }
).encode()


def refuse_unframed_bodies(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("HTTP_TRANSFER_ENCODING"):
            headers = [("Content-Type", "application/json"), ("Content-Length", str(len(LENGTH_REQUIRED)))]
            if "uwsgi.version" in environ:  # wsgiref (runserver) refuses hop-by-hop headers from an app
                headers.append(("Connection", "close"))
            start_response("411 Length Required", headers)
            return [LENGTH_REQUIRED]
        return app(environ, start_response)

    return guarded


application = refuse_unframed_bodies(get_wsgi_application())
