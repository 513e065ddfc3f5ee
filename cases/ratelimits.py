"""Rate-limit counters (django-ratelimit on the Redis cache) that services and views share, keyed by client address."""

from django_ratelimit.core import _get_ip, get_usage


def client_address(request) -> str:
    """The client address exactly as django-ratelimit's key="ip" reads it.

    Its own reader (RATELIMIT_IP_META_KEY behind a proxy, IPv6 grouped by /64), so counters kept by
    services agree with the limits views declare; django-ratelimit has no public name for it.
    """
    return _get_ip(request)


def counter_over(*, group: str, key: str, rate: str, increment: bool) -> bool:
    """Whether the counter for `key` in `group` is at its limit (or, incrementing, went over it).

    Works outside a request. Fails open: with Redis down there is no count and nothing is refused
    (RATELIMIT_FAIL_OPEN), like every other limit here.
    """
    usage = get_usage(None, group=group, key=lambda _group, _request: key, rate=rate, increment=increment)
    if usage is None:
        return False
    # Without incrementing, a count equal to the limit means the next attempt would go over.
    return usage["should_limit"] if increment else usage["count"] >= usage["limit"]
