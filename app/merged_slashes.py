"""A path's repeated slashes read as one, as LibreTranslate's routes (Flask's) read them. Integrations join the
address they are configured with and the path: http://host:5000/ and /translate asked for //translate, 404 here
(Mastodon's LibreTranslate service, Discourse's translator)."""
from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send


class MergedSlashesMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "//" in scope["path"]:
            scope = dict(scope, path=re.sub("/{2,}", "/", scope["path"]))
            if "raw_path" in scope:
                scope["raw_path"] = re.sub(b"/{2,}", b"/", scope["raw_path"])
        await self.app(scope, receive, send)
