"""Square's error body: ``{"errors": [{"category", "code", "detail", "field"}]}``."""

from __future__ import annotations

import orjson


class SquareError(Exception):
    def __init__(self, status: int, category: str, code: str, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.category = category
        self.code = code
        self.detail = detail
        self.field = field

    def body(self) -> bytes:
        error = {"category": self.category, "code": self.code, "detail": self.detail}
        if self.field:
            error["field"] = self.field
        return orjson.dumps({"errors": [error]})

    def reporting_body(self) -> bytes:
        """The Reporting API's error envelope: ``{"error": "..."}``."""
        return orjson.dumps({"error": self.detail})


def bad_request(code: str, detail: str, field: str | None = None) -> SquareError:
    return SquareError(400, "INVALID_REQUEST_ERROR", code, detail, field)


def unauthorized() -> SquareError:
    return SquareError(
        401,
        "AUTHENTICATION_ERROR",
        "UNAUTHORIZED",
        "This request could not be authorized. Provide a valid access token in the Authorization header.",
    )


def not_found(detail: str, field: str | None = None) -> SquareError:
    return SquareError(404, "INVALID_REQUEST_ERROR", "NOT_FOUND", detail, field)
