"""Two-factor helpers for tests (the partner browser journey uses them too).

    device = totp_device_for(user)          # a confirmed authenticator app for `user`
    code = current_code(device)             # what the app shows now (time-machine moves "now")
    code = current_code(device, steps=1)    # the next 30-second step's code: a code is used only once
"""

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_device_for(user, *, confirmed: bool = True) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=confirmed)


def current_code(device: TOTPDevice, *, steps: int = 0) -> str:
    """The 6-digit code for the device at the current time, or `steps` time steps later."""
    device.refresh_from_db()
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift + steps)
    return f"{code:0{device.digits}d}"
