"""The optional API key: `Authorization: Bearer KEY` or `X-API-Key: KEY`."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Optional

from fastapi import Depends, HTTPException
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer


def key_checker(api_key: str) -> Callable[..., None]:
    """A dependency that accepts `Authorization: Bearer KEY` or `X-API-Key: KEY`, compared in
    constant time (declared as security schemes, so /docs offers an Authorize button)."""
    expected = api_key.encode()
    bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer KEY")
    header = APIKeyHeader(name="X-API-Key", auto_error=False, description="X-API-Key: KEY")

    def check_key(credentials: Optional[HTTPAuthorizationCredentials] = Depends(bearer),
                  key_header: Optional[str] = Depends(header)) -> None:
        offered = [key_header, credentials.credentials if credentials else None]
        if not any(hmac.compare_digest(key.encode(), expected) for key in offered if key):
            raise HTTPException(401, "A valid API key is required: send 'Authorization: Bearer "
                                     "KEY' or 'X-API-Key: KEY'.",
                                headers={"WWW-Authenticate": "Bearer"})

    return check_key
