"""Passwords, tokens and login throttling."""

from classroom_server.security.passwords import hash_password, verify_password
from classroom_server.security.throttle import (
    Attempt,
    LoginThrottle,
    MemoryThrottleStore,
    RedisThrottleStore,
)
from classroom_server.security.tokens import TokenError, TokenIssuer

__all__ = [
    "Attempt",
    "LoginThrottle",
    "MemoryThrottleStore",
    "RedisThrottleStore",
    "TokenError",
    "TokenIssuer",
    "hash_password",
    "verify_password",
]
