"""The Permissions-Policy header: no page of this service may use the camera, microphone, location and the like.

Ten lines of our own rather than django-permissions-policy: one fixed header needs no settings or feature
registry. Only features Chromium recognises are listed: it logs an error for each unknown one (Chromium 156
does for `bluetooth`), and FLoC's `interest-cohort` is long retired; tests/browser/test_headers.py checks
that the browser logs nothing about the header.
"""

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    )
)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
